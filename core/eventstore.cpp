#include "eventstore.h"

void EventStore::startDelivery(DeliveryHandler handler)
{
    {
        std::lock_guard lock(m_deliveryMutex);
        m_deliveryHandler = std::move(handler);
    }
    deliveryStarted();
}

void EventStore::deliver(const OrderEvent &event) const
{
    DeliveryHandler handler;
    {
        std::lock_guard lock(m_deliveryMutex);
        handler = m_deliveryHandler;
    }
    if (handler)
        handler(event);
}

bool EventStore::isDelivering() const
{
    std::lock_guard lock(m_deliveryMutex);
    return bool(m_deliveryHandler);
}
