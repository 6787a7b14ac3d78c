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

    /// Sends one message, its text and an HTML part made from it; the error text is for logs
    /// only.
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
            .body(
                Body::builder()
                    .text(content(text)?)
                    .html(content(&html_of(text))?)
                    .build(),
            )
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

/// The HTML part of a plain-text mail: each paragraph (lines between blank lines) a `<p>`, its
/// lines kept, every http(s) address a link; all of it escaped.
pub fn html_of(text: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    let line = |l: &str| {
        l.split(' ')
            .map(|word| {
                if word.starts_with("https://") || word.starts_with("http://") {
                    let w = escape(word);
                    format!("<a href=\"{w}\">{w}</a>")
                } else {
                    escape(word)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            format!(
                "<p>{}</p>",
                p.lines().map(line).collect::<Vec<_>>().join("<br>\n")
            )
        })
        .collect();
    format!(
        "<!doctype html><html><body style=\"font-family: sans-serif; line-height: 1.5\">\n{}\n</body></html>\n",
        paragraphs.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::html_of;

    #[test]
    fn the_html_part_escapes_and_links() {
        let html = html_of("Hello <b>Ann</b> & co,\n\nOpen https://x.test/a?b=1&c=2 now.\nBye");
        assert!(
            html.contains("<p>Hello &lt;b&gt;Ann&lt;/b&gt; &amp; co,</p>"),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://x.test/a?b=1&amp;c=2">https://x.test/a?b=1&amp;c=2</a> now.<br>"#),
            "{html}"
        );
        assert!(html.contains("Bye</p>"), "{html}");
    }
}
