#pragma once

#include "serverconfig.h"

#include <QString>

#include <memory>

class OrderStreamService;
class QTemporaryDir;

// Returns the configuration of a service under test: it listens on
// 127.0.0.1 on a port the system picks, runs streamWorkers streaming
// workers and keeps its journal in dir, in a file named after the running
// test function.
ServerConfig testServerConfig(const QTemporaryDir &dir, int streamWorkers);

// Replaces service with a new service built from config and starts it.
// Returns false with errorMessage set when the start fails. service then
// still points to the service that failed to start.
bool startTestService(std::unique_ptr<OrderStreamService> &service, const ServerConfig &config,
                      QString *errorMessage);
