#pragma once

#include <QStringList>

// Returns whether name is one of the client commands: publish, watch or
// simulate.
bool isClientCommand(const char *name);

// Runs "orderstream publish", "orderstream watch" or "orderstream simulate"
// against a running server over HTTP. arguments are the whole command line,
// with the program name first and the command second. A QCoreApplication
// must exist; the command runs its event loop.
//
// Returns the process exit status: 0 for success, 1 when a request or the
// connection failed, 2 for invalid arguments. watch returns 0 when the
// order's stream ended for good or on SIGINT or SIGTERM; simulate returns
// 128 plus the signal number when a signal stopped it.
int runClientCommand(const QStringList &arguments);
