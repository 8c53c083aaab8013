package resume

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Format is a résumé file format.
type Format string

// The formats Extract reads.
const (
	FormatPDF  Format = "pdf"
	FormatDOCX Format = "docx"
	FormatTXT  Format = "txt"
	FormatMD   Format = "md"
)

var textExtensions = map[string]Format{
	".txt": FormatTXT, ".text": FormatTXT,
	".md": FormatMD, ".markdown": FormatMD,
}

// binaryMagic names file kinds that are recognisably not a résumé format.
var binaryMagic = []struct {
	prefix, kind string
}{
	{"\x89PNG\r\n\x1a\n", "a PNG image"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"GIF87a", "a GIF image"},
	{"GIF89a", "a GIF image"},
	{"RIFF", "a RIFF (WebP/AVI/WAV) file"},
	{"II*\x00", "a TIFF image"},
	{"MM\x00*", "a TIFF image"},
	{"MZ", "a Windows program"},
	{"\x7fELF", "a Linux program"},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word/Office (.doc) file"},
	{"{\\rtf", "an RTF file"},
	{"\x1f\x8b", "a gzip archive"},
	{"Rar!", "a RAR archive"},
	{"7z\xbc\xaf\x27\x1c", "a 7z archive"},
}

// Detect decides the format from the content (magic bytes) and the file name.
// A file whose content does not match its extension (e.g. "cv.pdf" that is not a
// PDF) is an *Error: not_pdf for a false .pdf, unsupported_type for anything that
// is not a PDF, DOCX, TXT or Markdown file, broken_file for a .docx that is not a
// ZIP archive and no_text for an empty file.
func Detect(filename string, data []byte) (Format, error) {
	if len(data) == 0 {
		return "", newError(CodeNoText, "the file is empty")
	}
	ext := strings.ToLower(filepath.Ext(filename))
	if len(ext) > 12 || strings.ContainsFunc(ext, func(r rune) bool { return r <= ' ' || r > '~' }) {
		ext = ".?" // an extension quoted in a message stays short and printable
	}
	isPDF := isPDFHeader(data)
	isZip := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	other := binaryKind(data)
	switch {
	case ext == ".pdf":
		if !isPDF {
			return "", newError(CodeNotPDF, "the file is named .pdf but is not a PDF document")
		}
		return FormatPDF, nil
	case ext == ".docx":
		if isZip {
			return FormatDOCX, nil
		}
		if isPDF || other != "" {
			return "", mismatch(ext, kindOf(isPDF, other))
		}
		return "", errBroken("DOCX")
	case textExtensions[ext] != "":
		if isPDF || isZip || other != "" {
			return "", mismatch(ext, kindOf(isPDF, firstNonEmpty(other, zipKind(isZip))))
		}
		return textExtensions[ext], nil
	case ext != "":
		return "", newError(CodeUnsupportedType, "%s files are not supported; upload a PDF, DOCX, TXT or Markdown file", ext)
	}
	return sniff(data, isPDF, isZip, other)
}

// sniff decides the format of a file without an extension from its content.
func sniff(data []byte, isPDF, isZip bool, other string) (Format, error) {
	switch {
	case isPDF:
		return FormatPDF, nil
	case isZip && zipHasDocument(data):
		return FormatDOCX, nil
	case other != "" || isZip || !looksLikeText(data):
		return "", newError(CodeUnsupportedType, "the file is not a PDF, DOCX, TXT or Markdown file")
	}
	return FormatTXT, nil
}

func mismatch(ext, kind string) *Error {
	return newError(CodeUnsupportedType, "the file is named %s but is %s; upload a PDF, DOCX, TXT or Markdown file with the right extension", ext, kind)
}

func kindOf(isPDF bool, other string) string {
	if isPDF {
		return "a PDF document"
	}
	return other
}

func zipKind(isZip bool) string {
	if isZip {
		return "a ZIP archive"
	}
	return ""
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// isPDFHeader reports whether data starts with a PDF header; leading
// whitespace is tolerated as many readers do.
func isPDFHeader(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data[:min(len(data), 1024)], " \t\r\n"), []byte("%PDF-"))
}

func binaryKind(data []byte) string {
	for _, m := range binaryMagic {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return m.kind
		}
	}
	return ""
}

func zipHasDocument(data []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == docxDocumentPart {
			return true
		}
	}
	return false
}

// looksLikeText reports whether the start of data is text: it has a UTF-16
// byte order mark, or no NUL byte and valid UTF-8 (up to a cut rune at the end).
func looksLikeText(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return true
	}
	head := data[:min(len(data), 8192)]
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for i := 0; i < utf8.UTFMax-1 && len(head) < len(data) && !utf8.Valid(head); i++ {
		head = head[:len(head)-1] // the sample may end inside a rune
	}
	return utf8.Valid(head)
}
