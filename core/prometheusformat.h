#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

// Writes metrics in the Prometheus text exposition format (version 0.0.4):
// a HELP and a TYPE line per metric family, then one sample per line.
class PrometheusFormat
{
public:
    using Labels = QList<QPair<QByteArray, QString>>;

    // Starts a family; type is "counter" or "gauge".
    void family(const QByteArray &name, const QByteArray &type, const QByteArray &help);
    void sample(const QByteArray &name, double value, const Labels &labels = {});

    QByteArray text() const { return m_text; }

    // Escapes a label value: backslash, double quote and line feed.
    static QByteArray escapeLabelValue(const QString &value);

private:
    QByteArray m_text;
};
