package inbound

import (
	"bytes"
	"strings"
)

// enmime v2.3.0 takes time exponential in the depth of nested multiparts whose delimiters do
// not nest: 20 unclosed levels, 1 KB of mail, cost 0.3 s, and every two more levels four times
// that, so a small hostile mail could stall the function. Well-nested ones parse in linear
// time. So before enmime reads a mail, nestBoundaries makes its delimiters nest: a part left
// open is closed where its parent goes on, a closing delimiter of a part that is not open is
// dropped, and what is still open at the end is closed there (where a truncated mail lost
// it). A mail declaring more boundaries than any client writes is read as plain text.

// maxBoundaries is more multipart boundaries than a real mail declares: a forwarded thread of
// forwarded threads has a few dozen.
const maxBoundaries = 100

// nestBoundaries returns raw with its multipart delimiters well nested, and how many it added
// or dropped; ok is false when raw declares more than maxBoundaries boundaries. A part opens at
// its boundary's first delimiter line, not at the declaration, so a "boundary=" in a quoted
// text changes nothing.
func nestBoundaries(raw []byte) (out []byte, fixes int, ok bool) {
	list := declaredBoundaries(raw)
	if len(list) > maxBoundaries {
		return raw, 0, false
	}
	if len(list) == 0 {
		return raw, 0, true
	}
	declared := make(map[string]bool, len(list))
	for _, b := range list {
		declared[b] = true
	}
	if fixes = nest(raw, declared, nil); fixes == 0 {
		return raw, 0, true
	}
	var w bytes.Buffer
	w.Grow(len(raw) + 1024)
	nest(raw, declared, &w)
	return w.Bytes(), fixes, true
}

// nest walks raw's delimiter lines with a stack of open parts and counts the fixes; with w it
// also writes the fixed mail.
func nest(raw []byte, declared map[string]bool, w *bytes.Buffer) (fixes int) {
	var stack []string
	closeAbove := func(idx int) {
		for len(stack) > idx+1 {
			fixes++
			if w != nil {
				w.WriteString("--" + stack[len(stack)-1] + "--\r\n")
			}
			stack = stack[:len(stack)-1]
		}
	}
	find := func(b string) int {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i] == b {
				return i
			}
		}
		return -1
	}
	for rest := raw; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		keep := true
		if t := bytes.TrimRight(line, " \t\r\n"); len(t) > 2 && t[0] == '-' && t[1] == '-' {
			name := string(t[2:])
			closing := false
			if c := strings.TrimSuffix(name, "--"); c != name && declared[c] {
				name, closing = c, true
			}
			if declared[name] {
				idx := find(name)
				switch {
				case closing && idx < 0:
					keep = false // closes a part that is not open
					fixes++
				case closing:
					closeAbove(idx)
					stack = stack[:idx]
				case idx < 0:
					stack = append(stack, name)
				default:
					closeAbove(idx)
				}
			}
		}
		if w != nil && keep {
			w.Write(line)
		}
	}
	if len(stack) > 0 && w != nil {
		w.WriteString("\r\n")
	}
	closeAbove(-1)
	return fixes
}

// declaredBoundaries returns the distinct boundary parameters raw declares, in order (at most
// maxBoundaries+1 of them). The parameter name is matched without regard to case, as
// mime.ParseMediaType does.
func declaredBoundaries(raw []byte) []string {
	const name = "boundary"
	var out []string
	seen := map[string]bool{}
	for i := 0; i+len(name) < len(raw); i++ {
		if raw[i]|0x20 != 'b' || !bytes.EqualFold(raw[i:i+len(name)], []byte(name)) {
			continue
		}
		j := i + len(name)
		for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t') {
			j++
		}
		if j >= len(raw) || raw[j] != '=' {
			continue
		}
		j++
		for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t') {
			j++
		}
		var b []byte
		if j < len(raw) && raw[j] == '"' {
			end := bytes.IndexAny(raw[j+1:], "\"\r\n")
			if end < 0 {
				continue
			}
			b = raw[j+1 : j+1+end]
		} else {
			k := j
			for k < len(raw) && raw[k] > ' ' && raw[k] != ';' && raw[k] != '"' {
				k++
			}
			b = raw[j:k]
		}
		if len(b) == 0 || len(b) > 200 || seen[string(b)] {
			continue
		}
		seen[string(b)] = true
		out = append(out, string(b))
		if len(out) > maxBoundaries {
			break
		}
		i = j
	}
	return out
}
