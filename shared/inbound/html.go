package inbound

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// policy is bluemonday's user-generated-content policy for mail: links carry rel="nofollow
// noopener" and open in a new tab, style and script never pass, and images only from the mail
// itself (cid: parts, data: URIs) — a remote image is a read receipt the customer did not agree
// to send, and parseHTML has taken those out before the policy runs.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("cid")
	p.AllowDataURIImages()
	return p
}()

// dropped are elements whose content is never the customer's words or is never safe to show.
var dropped = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Math: true,
	atom.Title: true, atom.Meta: true, atom.Link: true, atom.Base: true, atom.Form: true,
}

// parseHTML parses a mail's HTML and removes what must not be kept: script, style, head,
// comments (Outlook's conditional ones) and images from remote hosts. It fails on HTML nested
// deeper than 512 elements, which x/net/html refuses (and which bounds the recursion here).
func parseHTML(s string) (*html.Node, error) {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return nil, err
	}
	var clean func(n *html.Node)
	clean = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			switch {
			case c.Type == html.CommentNode || c.Type == html.DoctypeNode:
				n.RemoveChild(c)
			case c.Type == html.ElementNode && dropped[c.DataAtom]:
				n.RemoveChild(c)
			case c.Type == html.ElementNode && c.DataAtom == atom.Img && !localImage(attr(c, "src")):
				n.RemoveChild(c)
			default:
				clean(c)
			}
			c = next
		}
	}
	clean(doc)
	return doc, nil
}

// tokenText is the text of HTML that cannot be parsed into a tree: every text token, a line
// break at each block element, nothing of script or style. It folds no quotes.
func tokenText(s string) string {
	var w textWriter
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return w.String()
		case html.TextToken:
			if skip == 0 {
				w.text(string(z.Text()), false)
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if dropped[a] {
				if t := z.Token(); t.Type == html.StartTagToken {
					skip++
				} else if t.Type == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			switch a {
			case atom.Br:
				w.lineBreak()
			case atom.P, atom.Div, atom.Li, atom.Tr, atom.Blockquote, atom.H1, atom.H2, atom.H3, atom.Table, atom.Ul, atom.Ol, atom.Hr:
				w.block()
			}
		}
	}
}

// localImage reports whether an image source is part of the mail itself.
func localImage(src string) bool {
	src = strings.ToLower(strings.TrimSpace(src))
	return strings.HasPrefix(src, "cid:") || strings.HasPrefix(src, "data:image/")
}

// sanitize renders doc through the policy. Ids and names go first: the mail's elements
// must not shadow the console's own (DOM clobbering), and nothing links to them.
func sanitize(doc *html.Node) string {
	var strip func(n *html.Node)
	strip = func(n *html.Node) {
		if n.Type == html.ElementNode {
			kept := n.Attr[:0]
			for _, a := range n.Attr {
				if !strings.EqualFold(a.Key, "id") && !strings.EqualFold(a.Key, "name") {
					kept = append(kept, a)
				}
			}
			n.Attr = kept
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			strip(c)
		}
	}
	strip(doc)
	var b strings.Builder
	if err := html.Render(&b, doc); err != nil {
		return ""
	}
	return strings.TrimSpace(policy.Sanitize(b.String()))
}

// SanitizeHTML is s as Parse keeps a mail's HTML: script, style, head, comments, forms,
// frames and remote images out, ids and names out, then bluemonday's UGC policy for mail.
// Whoever shows stored mail HTML applies it again on the way out (the API does), so what
// the table holds never reaches a browser unchecked; it is idempotent. "" when s is empty or
// cannot be parsed.
func SanitizeHTML(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	doc, err := parseHTML(s)
	if err != nil {
		return ""
	}
	return sanitize(doc)
}

// htmlText derives plain text from the HTML: block elements end lines, entities are decoded,
// no tag survives. What the mail client marked as quoted (Gmail's div.gmail_quote, Apple Mail
// and Thunderbird's blockquote type=cite, Outlook's div#divRplyFwdMsg and #appendonsend and
// everything after them, signatures Gmail marks) goes to quoted instead.
func htmlText(doc *html.Node) (newText, quoted string) {
	var fresh, old textWriter
	after := false // past Outlook's reply header: the rest of the mail is the quote
	var walk func(n *html.Node, w *textWriter)
	walk = func(n *html.Node, w *textWriter) {
		switch n.Type {
		case html.TextNode:
			w.text(n.Data, inPre(n))
			return
		case html.ElementNode:
		default:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, w)
			}
			return
		}
		if w == &fresh {
			switch {
			case after:
				w = &old
			case isOutlookReplyHeader(n):
				after = true
				w = &old
			case isQuote(n):
				w = &old
			}
			if w == &old {
				old.paragraph() // each quote or signature its own paragraph
			}
		}
		switch n.DataAtom {
		case atom.Br:
			w.lineBreak()
			return
		case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Pre, atom.Table, atom.Ul, atom.Ol:
			w.paragraph()
			defer w.paragraph()
		case atom.Li:
			w.block()
			w.text("- ", true)
			defer w.block()
		case atom.Td, atom.Th:
			w.text(" ", true)
		case atom.Div, atom.Tr, atom.Hr, atom.Dd, atom.Dt, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Address, atom.Center:
			w.block()
			defer w.block()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, w)
		}
		if n.DataAtom == atom.A {
			href := strings.TrimSpace(attr(n, "href"))
			lower := strings.ToLower(href)
			if (strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")) &&
				strings.TrimSpace(textOf(n)) != href {
				w.text(" ("+href+")", true)
			}
		}
		// A quote that ended returns to the fresh text, unless Outlook's header came first.
	}
	walk(doc, &fresh)
	return fresh.String(), old.String()
}

var classQuote = regexp.MustCompile(`(?:^|\s)(?:gmail_quote|gmail_quote_container|gmail_signature|gmail_extra|yahoo_quoted|moz-cite-prefix|moz-signature|protonmail_quote|zmail_extra)(?:\s|$)`)

// isQuote reports whether n wraps quoted earlier mail or a signature, as clients mark it.
func isQuote(n *html.Node) bool {
	if n.DataAtom == atom.Blockquote && strings.EqualFold(attr(n, "type"), "cite") {
		return true
	}
	// 163/126 Mail (Coremail) wraps the quote in blockquote#isReplyContent.
	return classQuote.MatchString(attr(n, "class")) || attr(n, "id") == "isReplyContent"
}

// isOutlookReplyHeader reports whether n starts Outlook's quoted original: everything from it
// to the end of the mail is the quote.
func isOutlookReplyHeader(n *html.Node) bool {
	id := attr(n, "id")
	return id == "divRplyFwdMsg" || id == "appendonsend" || strings.Contains(attr(n, "class"), "OutlookMessageHeader")
}

func inPre(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Pre || p.DataAtom == atom.Textarea {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// textWriter builds plain text the way a browser lays out blocks: a block starts on a fresh
// line, a paragraph after a blank one, runs of white space are one space.
type textWriter struct {
	b        strings.Builder
	newlines int  // newlines at the end of b
	space    bool // a space is owed before the next word
}

func (w *textWriter) text(s string, pre bool) {
	if pre {
		if s == "" {
			return
		}
		w.flushSpace()
		w.b.WriteString(s)
		w.newlines = 0
		if strings.HasSuffix(s, "\n") {
			w.newlines = 1
		}
		return
	}
	for i, word := range strings.Fields(s) {
		if i > 0 || startsWithSpace(s) {
			w.space = true
		}
		w.flushSpace()
		w.b.WriteString(word)
		w.newlines = 0
	}
	if strings.TrimSpace(s) == "" && s != "" && w.b.Len() > 0 && w.newlines == 0 {
		w.space = true
	} else if endsWithSpace(s) {
		w.space = true
	}
}

func (w *textWriter) flushSpace() {
	if w.space && w.b.Len() > 0 && w.newlines == 0 {
		w.b.WriteByte(' ')
	}
	w.space = false
}

func (w *textWriter) lineBreak() {
	w.b.WriteByte('\n')
	w.newlines++
	w.space = false
}

func (w *textWriter) block() {
	if w.b.Len() > 0 && w.newlines == 0 {
		w.lineBreak()
	}
	w.space = false
}

func (w *textWriter) paragraph() {
	w.block()
	if w.b.Len() > 0 && w.newlines == 1 {
		w.lineBreak()
	}
}

// String returns the text with lines right-trimmed and at most one blank line in a row.
func (w *textWriter) String() string {
	lines := strings.Split(w.b.String(), "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(strings.ReplaceAll(l, "\u00a0", " "), " \t")
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
			l = ""
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func startsWithSpace(s string) bool { return s != "" && strings.TrimLeft(s, " \t\r\n\f") != s }
func endsWithSpace(s string) bool   { return s != "" && strings.TrimRight(s, " \t\r\n\f") != s }
