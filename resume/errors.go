package resume

import "fmt"

// Codes of the résumé errors; they are stable and meant for API responses.
const (
	CodeUnsupportedType = "unsupported_type"
	CodeNotPDF          = "not_pdf"
	CodeEncryptedPDF    = "encrypted_pdf"
	CodeBrokenFile      = "broken_file"
	CodeZipBomb         = "zip_bomb"
	CodeNoText          = "no_text"
	CodeTooLarge        = "too_large"
	CodeTimeout         = "timeout"
	CodeInvalidText     = "invalid_text"
)

// Error is a résumé that cannot be read, with a stable Code for the API and a
// Message a candidate can act on. Messages never contain the résumé's text.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("résumé %s: %s", e.Code, e.Message)
}

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errBroken(kind string) *Error {
	return newError(CodeBrokenFile, "the %s file is damaged or not a valid %s; export it again or upload a PDF, DOCX or text file", kind, kind)
}

func errNoText() *Error {
	return newError(CodeNoText, "no text could be read from the file (a scanned or empty document?); upload a file with selectable text")
}
