#pragma once

#include "serverconfig.h"

#include <QString>
#include <QStringList>

// The settings given on the command line.
struct CommandLineOptions
{
    ServerConfig server;
    bool headless = false;
};

// Parses arguments (including argv[0]). Returns false with errorMessage set
// for an invalid value; prints --help or --version and exits by itself.
bool parseCommandLine(const QStringList &arguments, CommandLineOptions &options,
                      QString *errorMessage);

// Fills jwt's secret and public key from the files the options name, the
// ORDERSTREAM_JWT_SECRET environment variable, or the default secret file.
bool loadJwtKeys(const QString &secretPath, const QString &publicKeyPath, JwtConfig &jwt,
                 QString *errorMessage);
