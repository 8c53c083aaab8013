package store

import (
	"crypto/sha256"
	"encoding/hex"
)

// HashToken is what the database keeps of a candidate's or an HR
// session's token (the TokenHash and IDHash columns): a leaked database
// grants no access. Whoever issues a token and whoever checks one hash it
// here.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
