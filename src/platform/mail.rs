//! Outgoing mail through SES v2 (server only).

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

#[derive(Clone)]
pub struct Mailer {
    client: aws_sdk_sesv2::Client,
    from: String,
}

impl Mailer {
    pub fn new(client: aws_sdk_sesv2::Client, from: String) -> Self {
        Self { client, from }
    }

    /// Sends one message; the error text is for logs only.
    pub async fn send(&self, to: &str, subject: &str, text: &str) -> Result<(), String> {
        let content = |s: &str| {
            Content::builder()
                .data(s)
                .charset("UTF-8")
                .build()
                .map_err(|e| e.to_string())
        };
        let message = Message::builder()
            .subject(content(subject)?)
            .body(Body::builder().text(content(text)?).build())
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{}", aws_sdk_sesv2::error::DisplayErrorContext(e)))
    }
}
