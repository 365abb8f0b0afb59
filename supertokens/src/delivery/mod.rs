//! Delivery of one-time codes and magic links: the [`EmailDelivery`] and [`SmsDelivery`] traits,
//! and the console (development), SMTP and Twilio services.
