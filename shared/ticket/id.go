package ticket

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a ticket id that sorts by creation time: "tk_" + 48 bits of milliseconds and
// 80 random bits in Crockford's base32.
func NewID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	return "tk_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}
