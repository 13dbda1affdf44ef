#pragma once

#include "logfile.h"
#include "serverconfig.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

struct AuthSettings;

// The settings of one run, from the command line, the environment and the
// config file.
struct CommandLineOptions
{
    ServerConfig server;
    bool headless = false;
    // The rotating log file; an empty path logs to standard error only.
    LogFileConfig logFile;
    // The key files that loadJwtKeys() reads; empty means the default.
    QString jwtSecretFilePath;
    QString jwtPublicKeyPath;
};

// One server option. The command line, the environment and the config file
// all read this table, so adding an option is one entry in serverOptions().
//
// The name is the long option (--port), the config file key in the [server]
// group (port=8080) and, in upper case with '_' for '-', the environment
// variable after ORDERSTREAM_ (ORDERSTREAM_PORT).
struct ServerOption
{
    enum Source { CommandLine = 0x1, Environment = 0x2, ConfigFile = 0x4 };
    static constexpr int AllSources = CommandLine | Environment | ConfigFile;

    QString name;
    // The placeholder in --help; empty for a switch, which takes true or
    // false in the environment and the config file.
    QString valueName;
    QString description;
    // The built-in default as the config file writes it; documentation only,
    // because an option that no source sets keeps the ServerConfig default.
    QString defaultValue;
    // Checks text and stores it in options. Returns an empty string, or a
    // description of the expected value ("expected an integer from 0 to 65535").
    std::function<QString(const QString &text, CommandLineOptions &options)> apply;
    // The sources that may set the option, a combination of Source values.
    int sources = AllSources;
    // Repeatable on the command line; a comma-separated list elsewhere.
    bool repeatable = false;
    // The noun in command-line errors: invalid --bind address "x".
    QString valueNoun = QStringLiteral("value");
};

// Returns every server option; saved supplies the defaults that the
// console's Settings dialog stores.
QList<ServerOption> serverOptions(const AuthSettings &saved);

// Returns the environment variable of an option: ORDERSTREAM_ followed by the
// name in upper case with '_' for '-'.
QString environmentVariableName(const QString &optionName);

// Parses arguments (including argv[0]), then the environment and the config
// file that --config or ORDERSTREAM_CONFIG names. The command line takes
// precedence over the environment, the environment over the config file, and
// the config file over saved settings and built-in defaults. Returns false
// with errorMessage set for an invalid value, naming where it came from;
// prints --help or --version and exits by itself.
bool parseCommandLine(const QStringList &arguments, CommandLineOptions &options,
                      QString *errorMessage);

// Fills jwt's secret and public key from the files the options name, the
// ORDERSTREAM_JWT_SECRET environment variable, or the default secret file.
bool loadJwtKeys(const QString &secretPath, const QString &publicKeyPath, JwtConfig &jwt,
                 QString *errorMessage);
