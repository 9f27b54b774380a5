package api

import (
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// mailPolicy is the policy intake sanitises a mail's HTML with (shared/inbound keeps its own
// unexported), applied again to every email html the API answers: what the table holds was
// written by whatever intake ran at the time, or by anything else that can write the table,
// and the console shows it. Links carry rel="nofollow noopener" and open in a new tab; no
// script, style or event handler passes; images only from the mail itself (cid:, data:).
// Unlike intake it cannot tell a remote image from the mail's own before the policy runs, so
// it admits no http(s) image at all: a remote image is a read receipt.
var mailPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("cid")
	p.AllowDataURIImages()
	return p
}()

// safeHTML is a stored mail's html as the console may show it: ids, names and remote
// images out (the mail's elements must not shadow the console's own, DOM clobbering), then
// through mailPolicy — last, so nothing re-serialised after it can undo what it removed.
func safeHTML(s string) string {
	if s == "" {
		return ""
	}
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil { // x/net/html reports only reader errors
		return ""
	}
	var b strings.Builder
	for _, n := range nodes {
		if n.Type == html.ElementNode && n.DataAtom == atom.Img && !mailImage(n) {
			continue
		}
		strip(n)
		if err := html.Render(&b, n); err != nil {
			return ""
		}
	}
	return mailPolicy.Sanitize(b.String())
}

// strip removes id and name attributes from n and its descendants, and images that are not
// part of the mail.
func strip(n *html.Node) {
	if n.Type == html.ElementNode {
		kept := n.Attr[:0]
		for _, a := range n.Attr {
			if !strings.EqualFold(a.Key, "id") && !strings.EqualFold(a.Key, "name") {
				kept = append(kept, a)
			}
		}
		n.Attr = kept
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && c.DataAtom == atom.Img && !mailImage(c) {
			n.RemoveChild(c)
		} else {
			strip(c)
		}
		c = next
	}
}

// mailImage reports whether img's source is part of the mail itself.
func mailImage(img *html.Node) bool {
	for _, a := range img.Attr {
		if strings.EqualFold(a.Key, "src") {
			src := strings.ToLower(strings.TrimSpace(a.Val))
			return strings.HasPrefix(src, "cid:") || strings.HasPrefix(src, "data:image/")
		}
	}
	return false
}
