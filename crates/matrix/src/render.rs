//! How a reply looks in Matrix: the text, then its choices as numbered lines, both as plain
//! text and as HTML. People's words are escaped in the HTML, so echoed text cannot change
//! how a message shows.

use eftertanke_core::engine::Reply;

/// The plain body and the HTML formatted body of one reply.
#[must_use]
pub fn render(reply: &Reply) -> (String, String) {
    let mut plain = reply.text.clone();
    let mut html = paragraphs(&reply.text);
    if !reply.choices.is_empty() {
        plain.push('\n');
        html.push_str("<ol>");
        for (i, choice) in reply.choices.iter().enumerate() {
            plain.push_str(&format!("\n{}. {}", i + 1, choice.label));
            html.push_str("<li>");
            html.push_str(&escape(&choice.label));
            html.push_str("</li>");
        }
        html.push_str("</ol>");
    }
    (plain, html)
}

/// Text as HTML paragraphs: blank lines part paragraphs, single line breaks stay.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .filter(|part| !part.trim().is_empty())
        .map(|part| format!("<p>{}</p>", escape(part).replace('\n', "<br>")))
        .collect()
}

fn escape(text: &str) -> String {
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
    use eftertanke_core::engine::ReplyChoice;

    fn choice(label: &str) -> ReplyChoice {
        ReplyChoice {
            label: label.into(),
            reply: label.into(),
            button: None,
        }
    }

    #[test]
    fn choices_are_numbered_lines_in_both_bodies() {
        let reply = Reply {
            text: "Hvordan gik det?\n\nVælg én.".into(),
            choices: vec![choice("Godt"), choice("Skidt")],
            prompt: Some(3),
            file: None,
            picture: None,
        };
        let (plain, html) = render(&reply);
        assert_eq!(plain, "Hvordan gik det?\n\nVælg én.\n\n1. Godt\n2. Skidt");
        assert_eq!(
            html,
            "<p>Hvordan gik det?</p><p>Vælg én.</p><ol><li>Godt</li><li>Skidt</li></ol>"
        );
    }

    #[test]
    fn echoed_markup_is_shown_not_obeyed() {
        let reply = Reply::plain("Du skrev: <b>hej</b> & <a href='x'>link</a>\nnæste".into());
        let (plain, html) = render(&reply);
        assert!(plain.contains("<b>hej</b>"));
        assert_eq!(
            html,
            "<p>Du skrev: &lt;b&gt;hej&lt;/b&gt; &amp; &lt;a href=&#39;x&#39;&gt;link&lt;/a&gt;<br>næste</p>"
        );
    }
}
