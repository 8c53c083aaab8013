package resume

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

// Extract returns the plain, normalised text of a résumé in format f, bounded by
// l (zero fields take DefaultLimits) and honouring ctx and l.Timeout. Failures
// caused by the file are *Error; a cancelled ctx returns its error, and a passed
// deadline (ctx's or l.Timeout) is the timeout *Error. data must not be
// changed afterwards: a parse abandoned at the deadline may read it a little
// longer before it notices.
func Extract(ctx context.Context, f Format, data []byte, l Limits) (string, error) {
	l = l.withDefaults()
	if int64(len(data)) > l.MaxFileBytes {
		return "", newError(CodeTooLarge, "the file is %s; the limit is %s", formatBytes(int64(len(data))), formatBytes(l.MaxFileBytes))
	}
	if len(data) == 0 {
		return "", newError(CodeNoText, "the file is empty")
	}
	parse, err := parserFor(f)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, l.Timeout)
	defer cancel()

	var stop atomic.Bool
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: errBroken(formatName(f))}
			}
			done <- r
		}()
		r.text, r.err = parse(&job{data: data, limits: l, stop: &stop})
	}()

	select {
	case r := <-done:
		if r.err != nil {
			return "", r.err
		}
		text := normalize(r.text, l.MaxTextBytes)
		if text == "" {
			return "", errNoText()
		}
		return text, nil
	case <-ctx.Done():
		stop.Store(true) // the parser's reads fail from now on, so it ends soon
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", newError(CodeTimeout, "reading the file took longer than %s; upload a simpler file", l.Timeout)
		}
		return "", fmt.Errorf("extract résumé: %w", ctx.Err())
	}
}

// job is one parse: the file, the limits and the flag that asks it to stop.
type job struct {
	data   []byte
	limits Limits
	stop   *atomic.Bool
}

// rawTextCap is how much raw text a parser collects before normalisation cuts it
// to MaxTextBytes: normalisation only shrinks text, so a little slack suffices
// unless the text is mostly whitespace or control characters.
func (j *job) rawTextCap() int {
	return 4*j.limits.MaxTextBytes + 4096
}

func parserFor(f Format) (func(*job) (string, error), error) {
	switch f {
	case FormatPDF:
		return extractPDF, nil
	case FormatDOCX:
		return extractDOCX, nil
	case FormatTXT, FormatMD:
		return extractText, nil
	}
	return nil, newError(CodeUnsupportedType, "format %q is not supported; upload a PDF, DOCX, TXT or Markdown file", string(f))
}

func formatName(f Format) string {
	switch f {
	case FormatPDF:
		return "PDF"
	case FormatDOCX:
		return "DOCX"
	}
	return "text"
}

func formatBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", (n+1023)>>10)
}
