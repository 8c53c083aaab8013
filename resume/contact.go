package resume

import (
	"regexp"
	"strings"
)

var (
	emailRE  = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	phoneRE  = regexp.MustCompile(`\+?\(?\d[\d \t\-().]{6,20}\d`) // on one line
	dateLike = regexp.MustCompile(`^(?:19|20)\d\d\s*[./\-]`)
	linkRE   = regexp.MustCompile(`(?i)(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|gitee\.com|linkedin\.com/in|[a-z0-9\-]+\.(?:dev|io|me))/?[A-Za-z0-9_\-./]*`)
)

// findContact reads the first e-mail address, phone number (8 to 15 digits
// in groups, not a date) and up to three profile links in the text.
func findContact(text string) Contact {
	c := Contact{Email: emailRE.FindString(text)}
	rest := emailRE.ReplaceAllString(text, " ")
	for _, m := range phoneRE.FindAllString(rest, 50) {
		if n := len(strings.Map(digitsOnly, m)); n >= 8 && n <= 15 && !dateRange.MatchString(m) && !dateLike.MatchString(m) { // "2016-2020" is no phone number
			c.Phone = strings.TrimSpace(m)
			break
		}
	}
	for _, l := range linkRE.FindAllString(rest, 3) {
		c.Links = append(c.Links, strings.TrimRight(l, "./"))
	}
	return c
}

func digitsOnly(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}
