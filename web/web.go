package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// contentSecurityPolicy allows nothing from other origins and no inline
// script or style: text from the API can never run as code.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// file is one embedded file, ready to serve.
type file struct {
	body []byte
	etag string
	kind string
}

// Handler serves the app: files under /assets/ as they are, and index.html
// for every other path it is given (the API routes only page paths here).
// Responses carry an ETag, so browsers revalidate instead of re-downloading.
func Handler() http.Handler {
	files, err := load()
	if err != nil {
		panic(err) // the files are compiled in: this cannot fail at run time
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "index.html"
		if rest, ok := strings.CutPrefix(r.URL.Path, "/assets/"); ok {
			name = "assets/" + rest
		}
		f, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.kind)
		h.Set("ETag", f.etag)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if name == "index.html" {
			h.Set("Content-Security-Policy", contentSecurityPolicy)
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
	})
}

// load reads every embedded file and its content hash.
func load() (map[string]file, error) {
	root, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	files := map[string]file{}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		kind := mime.TypeByExtension(path.Ext(name))
		if kind == "" {
			kind = "application/octet-stream"
		}
		files[name] = file{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, kind: kind}
		return nil
	})
	return files, err
}
