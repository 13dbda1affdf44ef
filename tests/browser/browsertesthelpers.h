#pragma once

#include "jwtsigner.h"

#include <QByteArray>

// A fresh HS256 secret of 48 random bytes, above the 32-byte minimum.
QByteArray makeHs256Secret();

// Chromium's output without the D-Bus connection errors it logs on machines
// without a D-Bus daemon, which would hide everything else.
QByteArray withoutDbusErrors(const QByteArray &output);

// Signs request with jwt, or returns an empty array after logging why.
QByteArray signTestToken(const JwtConfig &jwt, const JwtTokenRequest &request);
