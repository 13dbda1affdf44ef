#pragma once

#include <QByteArray>

// The page served at GET /watch/{orderId}: one order's live status in a
// browser, with no external scripts, styles or fonts. The HTML is the same
// for every order because the page's script reads the order id from its own
// path and the token from its access_token query parameter.
namespace WatchPage {

// The page, compiled in from core/watchpage.html.
QByteArray html();

// The Content-Security-Policy of the page: requests go to its own origin
// only, and the one inline script and style run because their SHA-256
// hashes are listed. Computed from html() once.
QByteArray contentSecurityPolicy();

} // namespace WatchPage
