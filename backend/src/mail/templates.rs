//! The texts of the mails, in Danish and English: plain text plus a simple HTML twin, built from
//! one [`Letter`] so the two always say the same. Links are absolute (`PUBLIC_URL`), and every
//! value is escaped in the HTML.

use crate::mail::Language;

/// A composed mail: subject, plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// A short letter: a greeting, paragraphs, at most one button (a link), notes, and the
/// signature. [`Letter::render`] writes it as text and as HTML.
#[derive(Debug, Clone)]
pub struct Letter {
    language: Language,
    subject: String,
    greeting: Option<String>,
    paragraphs: Vec<String>,
    action: Option<(String, String)>,
    notes: Vec<String>,
}

impl Letter {
    /// A letter in `language` with this subject.
    pub fn new(language: Language, subject: impl Into<String>) -> Letter {
        Letter {
            language,
            subject: subject.into(),
            greeting: None,
            paragraphs: Vec::new(),
            action: None,
            notes: Vec::new(),
        }
    }

    /// "Hej Anna," / "Hi Anna,".
    pub fn greeting(mut self, name: &str) -> Letter {
        let hello = match self.language {
            Language::Da => "Hej",
            Language::En => "Hi",
        };
        self.greeting = Some(format!("{hello} {name},"));
        self
    }

    /// A paragraph of text.
    pub fn paragraph(mut self, text: impl Into<String>) -> Letter {
        self.paragraphs.push(text.into());
        self
    }

    /// The one thing to do: a button in HTML, `label: url` in text.
    pub fn action(mut self, label: impl Into<String>, url: impl Into<String>) -> Letter {
        self.action = Some((label.into(), url.into()));
        self
    }

    /// A smaller paragraph after the button (why you got this, what if it was not you).
    pub fn note(mut self, text: impl Into<String>) -> Letter {
        self.notes.push(text.into());
        self
    }

    /// The letter as text and HTML.
    pub fn render(self) -> Message {
        let signature = "Inventory Sync";
        let mut text = String::new();
        let mut html = String::from(
            "<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;font-size:15px;\
             line-height:1.5;color:#222;max-width:560px\">",
        );
        if let Some(greeting) = &self.greeting {
            text.push_str(greeting);
            text.push_str("\n\n");
            html.push_str(&format!("<p>{}</p>", escape(greeting)));
        }
        for paragraph in &self.paragraphs {
            text.push_str(paragraph);
            text.push_str("\n\n");
            html.push_str(&format!("<p>{}</p>", escape(paragraph)));
        }
        if let Some((label, url)) = &self.action {
            text.push_str(&format!("{label}:\n{url}\n\n"));
            html.push_str(&format!(
                "<p><a href=\"{url}\" style=\"display:inline-block;background:#1f6feb;\
                 color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none\">{label}</a>\
                 </p><p style=\"font-size:13px;color:#555\">{url}</p>",
                url = escape(url),
                label = escape(label),
            ));
        }
        for note in &self.notes {
            text.push_str(note);
            text.push_str("\n\n");
            html.push_str(&format!(
                "<p style=\"font-size:13px;color:#555\">{}</p>",
                escape(note)
            ));
        }
        text.push_str(&format!("— {signature}\n"));
        html.push_str(&format!("<p>— {signature}</p></body></html>"));
        Message {
            subject: self.subject,
            text,
            html,
        }
    }
}

/// The mail with a link to choose a new password, valid for `valid_minutes`.
pub fn password_reset(language: Language, name: &str, link: &str, valid_minutes: i64) -> Message {
    match language {
        Language::Da => Letter::new(language, "Nulstil din adgangskode")
            .greeting(name)
            .paragraph("Nogen (forhåbentlig dig) har bedt om at nulstille adgangskoden til din konto i Inventory Sync.")
            .action("Vælg en ny adgangskode", link)
            .note(format!("Linket virker én gang og udløber om {valid_minutes} minutter. Når du har valgt en ny adgangskode, bliver du logget ud alle steder."))
            .note("Har du ikke bedt om det, kan du se bort fra denne mail: din adgangskode er uændret."),
        Language::En => Letter::new(language, "Reset your password")
            .greeting(name)
            .paragraph("Someone (hopefully you) asked to reset the password of your Inventory Sync account.")
            .action("Choose a new password", link)
            .note(format!("The link works once and expires in {valid_minutes} minutes. Once you have chosen a new password, you are logged out everywhere."))
            .note("If you did not ask for this, ignore this mail: your password is unchanged."),
    }
    .render()
}

/// The mail that confirms a sign-up's address; the company is created from the link.
pub fn sign_up_confirm(language: Language, name: &str, company: &str, link: &str) -> Message {
    match language {
        Language::Da => Letter::new(language, "Bekræft din e-mailadresse")
            .greeting(name)
            .paragraph(format!("Tak fordi du opretter {company} i Inventory Sync. Bekræft din e-mailadresse for at oprette virksomheden og logge ind."))
            .action("Bekræft og opret virksomheden", link)
            .note("Linket virker én gang og udløber om 24 timer. Har du ikke oprettet en konto, kan du se bort fra denne mail."),
        Language::En => Letter::new(language, "Confirm your e-mail address")
            .greeting(name)
            .paragraph(format!("Thank you for signing up {company} to Inventory Sync. Confirm your e-mail address to create the company and log in."))
            .action("Confirm and create the company", link)
            .note("The link works once and expires in 24 hours. If you did not sign up, ignore this mail."),
    }
    .render()
}

/// The mail to the owner of an address someone tried to sign up with again.
pub fn sign_up_existing(language: Language, name: &str, login: &str, reset: &str) -> Message {
    match language {
        Language::Da => Letter::new(language, "Du har allerede en konto")
            .greeting(name)
            .paragraph("Nogen (måske dig) har forsøgt at oprette en ny virksomhed i Inventory Sync med denne e-mailadresse. Du har allerede en konto, så der blev ikke oprettet noget.")
            .action("Log ind", login)
            .note(format!("Har du glemt din adgangskode, kan du vælge en ny her: {reset}"))
            .note("Var det ikke dig, kan du se bort fra denne mail."),
        Language::En => Letter::new(language, "You already have an account")
            .greeting(name)
            .paragraph("Someone (perhaps you) tried to sign up a new company to Inventory Sync with this e-mail address. You already have an account, so nothing was created.")
            .action("Log in", login)
            .note(format!("If you forgot your password, choose a new one here: {reset}"))
            .note("If it was not you, ignore this mail."),
    }
    .render()
}

/// The invitation to join `company`, sent by `inviter`; the link lasts `valid_days`.
pub fn invitation(
    language: Language,
    inviter: &str,
    company: &str,
    link: &str,
    valid_days: i64,
) -> Message {
    match language {
        Language::Da => Letter::new(language, format!("{inviter} inviterer dig til {company} i Inventory Sync"))
            .paragraph(format!("{inviter} har inviteret dig til at blive en del af {company} i Inventory Sync, der holder lageret i synk med e-conomic."))
            .action("Se invitationen", link)
            .note(format!("Linket virker én gang og udløber om {valid_days} dage. Forventede du ikke invitationen, kan du se bort fra denne mail.")),
        Language::En => Letter::new(language, format!("{inviter} invites you to {company} on Inventory Sync"))
            .paragraph(format!("{inviter} invited you to join {company} on Inventory Sync, which keeps the inventory in sync with e-conomic."))
            .action("Open the invitation", link)
            .note(format!("The link works once and expires in {valid_days} days. If you did not expect it, ignore this mail.")),
    }
    .render()
}

/// One mail with the day's notifications (`lines`, one per notification, each naming its
/// company); `settings` is where to change how they arrive.
pub fn digest(language: Language, name: &str, lines: &[String], settings: &str) -> Message {
    let mut letter = match language {
        Language::Da => Letter::new(
            language,
            format!("Dagens overblik: {} beskeder", lines.len()),
        )
        .greeting(name)
        .paragraph("Her er dagens beskeder fra Inventory Sync:"),
        Language::En => Letter::new(
            language,
            format!("Daily digest: {} notifications", lines.len()),
        )
        .greeting(name)
        .paragraph("Here are today's notifications from Inventory Sync:"),
    };
    for line in lines {
        letter = letter.paragraph(format!("• {line}"));
    }
    match language {
        Language::Da => letter.action("Skift hvordan du får beskeder", settings),
        Language::En => letter.action("Change how you get notifications", settings),
    }
    .render()
}

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_html_carry_the_same_link_and_the_html_is_escaped() {
        let message = invitation(
            Language::Da,
            "Anna <script>",
            "Ærø & Co",
            "https://sync.example/invite/abc?x=1&y=2",
            7,
        );
        assert_eq!(
            message.subject,
            "Anna <script> inviterer dig til Ærø & Co i Inventory Sync"
        );
        assert!(
            message
                .text
                .contains("https://sync.example/invite/abc?x=1&y=2")
        );
        assert!(
            message
                .html
                .contains("href=\"https://sync.example/invite/abc?x=1&amp;y=2\"")
        );
        assert!(message.html.contains("Anna &lt;script&gt;"));
        assert!(!message.html.contains("<script>"));
    }

    #[test]
    fn each_mail_exists_in_both_languages() {
        let da = password_reset(Language::Da, "Anna", "https://x.example/r", 60);
        let en = password_reset(Language::En, "Anna", "https://x.example/r", 60);
        assert!(da.text.starts_with("Hej Anna,"));
        assert!(en.text.starts_with("Hi Anna,"));
        assert_ne!(da.subject, en.subject);
        let lines = vec!["Acme ApS: webhook disabled".to_owned()];
        assert!(
            digest(Language::En, "Anna", &lines, "https://x.example/s")
                .text
                .contains("• Acme ApS")
        );
    }
}
