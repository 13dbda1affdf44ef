#pragma once

#include <QStringList>

// "orderstream token": prints an HS256 token signed with the configured
// secret, for development and for scripts. Returns the process exit status.
int runTokenCommand(const QStringList &arguments);
