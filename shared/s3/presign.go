package s3

import (
	"context"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// LinkTTL is how long a download link works: long enough to click, short enough that a
// link copied out of a browser's history is dead by the time anyone finds it.
const LinkTTL = 5 * time.Minute

// Links signs download links to objects in one bucket, so a browser fetches an attachment
// straight from S3 without the bytes passing through a Lambda (and its 6 MB response cap).
type Links struct {
	presign *awss3.PresignClient
	bucket  string
	now     func() time.Time
}

// NewLinks returns Links to objects in bucket, signed with client's credentials at the time
// now says (the link's expiry is now()+LinkTTL, and the signature agrees with it).
func NewLinks(client *awss3.Client, bucket string, now func() time.Time) *Links {
	signer := clockedSigner{v4.NewSigner(), now}
	return &Links{
		presign: awss3.NewPresignClient(client, func(o *awss3.PresignOptions) {
			o.Expires = LinkTTL
			o.Presigner = signer
		}),
		bucket: bucket, now: now,
	}
}

// Link is a signed GET of one object.
type Link struct {
	URL       string
	ExpiresAt time.Time
}

// Download signs a GET of key that the browser saves as filename rather than shows: the
// response carries Content-Disposition: attachment with the name RFC 5987-encoded, and a
// Content-Type that is contentType only for types a browser cannot run (SafeContentType).
// filename and contentType come from a customer's mail and are untrusted.
func (l *Links) Download(ctx context.Context, key, filename, contentType string) (Link, error) {
	at := l.now()
	req, err := l.presign.PresignGetObject(ctx, &awss3.GetObjectInput{
		Bucket:                     aws.String(l.bucket),
		Key:                        aws.String(key),
		ResponseContentDisposition: aws.String(ContentDisposition(filename)),
		ResponseContentType:        aws.String(SafeContentType(contentType)),
	})
	if err != nil {
		return Link{}, errs.Wrap(errs.Transient, err, "sign a download link for %s", key)
	}
	return Link{URL: req.URL, ExpiresAt: at.Add(LinkTTL).UTC()}, nil
}

// clockedSigner signs at the injected clock's time rather than the SDK's own, so the
// X-Amz-Date of a link and the expiry the API reports are the same instant.
type clockedSigner struct {
	inner *v4.Signer
	now   func() time.Time
}

func (s clockedSigner) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return s.inner.PresignHTTP(ctx, creds, r, payloadHash, service, region, s.now(), optFns...)
}

var _ awss3.HTTPPresignerV4 = clockedSigner{}

// safeTypes are the content types a download may keep: they render inertly (raster images,
// PDF in the browser's viewer, plain text). HTML, SVG, XML and scripts would run in S3's
// origin, so everything else is served as application/octet-stream.
var safeTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true,
}

// SafeContentType is the Content-Type to serve a stored attachment of declared type ct with:
// its media type (parameters dropped) when on the allow-list, else application/octet-stream.
func SafeContentType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !safeTypes[mt] {
		return "application/octet-stream"
	}
	return mt
}

// ContentDisposition is an RFC 6266 "attachment" disposition naming filename, encoded as an
// RFC 5987 ext-value (filename* in UTF-8, no language tag) so quotes, semicolons, CR/LF and non-ASCII letters
// cannot break out of the header or be misread. Directory parts and control characters are
// dropped; a name with nothing left is "attachment".
func ContentDisposition(filename string) string {
	return "attachment; filename*=UTF-8''" + encodeExtValue(cleanFilename(filename))
}

// cleanFilename is the last path element of name (either slash: mail clients on Windows send
// backslashes), valid UTF-8, without control characters, trimmed, at most 200 bytes.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, name)
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.TrimSpace(name)
	if name == "." || name == "/" || name == ".." {
		name = ""
	}
	for len(name) > 200 { // cut whole runes
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" {
		return "attachment"
	}
	return name
}

// encodeExtValue percent-encodes every byte of s that is not an RFC 5987 attr-char.
func encodeExtValue(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0x0F])
	}
	return b.String()
}

// isAttrChar: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" /
// "|" / "~" (RFC 5987 section 3.2.1).
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
