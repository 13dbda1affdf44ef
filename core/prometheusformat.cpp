#include "prometheusformat.h"

#include <cmath>

void PrometheusFormat::family(const QByteArray &name, const QByteArray &type,
                              const QByteArray &help)
{
    m_text += "# HELP " + name + ' ' + help + '\n';
    m_text += "# TYPE " + name + ' ' + type + '\n';
}

void PrometheusFormat::sample(const QByteArray &name, double value, const Labels &labels)
{
    m_text += name;
    if (!labels.isEmpty()) {
        m_text += '{';
        for (qsizetype i = 0; i < labels.size(); ++i) {
            if (i > 0)
                m_text += ',';
            m_text += labels[i].first + "=\"" + escapeLabelValue(labels[i].second) + '"';
        }
        m_text += '}';
    }
    m_text += ' ';
    if (value == std::floor(value) && std::abs(value) < 1e15)
        m_text += QByteArray::number(qint64(value));
    else
        m_text += QByteArray::number(value, 'g', 17);
    m_text += '\n';
}

QByteArray PrometheusFormat::escapeLabelValue(const QString &value)
{
    QByteArray escaped;
    const QByteArray utf8 = value.toUtf8();
    for (const char c : utf8) {
        if (c == '\\')
            escaped += "\\\\";
        else if (c == '"')
            escaped += "\\\"";
        else if (c == '\n')
            escaped += "\\n";
        else
            escaped += c;
    }
    return escaped;
}
