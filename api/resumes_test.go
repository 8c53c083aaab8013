package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/resume"
)

const resumeText = `# Ada Lovelace

Backend engineer, 6 years of experience.

## Skills
Go, PostgreSQL, Kubernetes, Redis

## Projects
- Payment gateway: a Go service handling 3k requests per second
- Log pipeline: Kafka to ClickHouse ingestion

## Education
BSc Computer Science, University of London
`

// withResumeReader has the fake engine read résumés as the worker does:
// the real activity, the offline model, the harness's database.
func (h *harness) withResumeReader() {
	r := &activities.ResumeReader{Store: h.store, Model: llm.NewOffline(0), Limits: resume.DefaultLimits()}
	h.engine.readResume = func(ctx context.Context, id string) (activities.ReadResumeResult, error) {
		return r.ReadResume(ctx, activities.ReadResumeInput{ResumeID: id})
	}
}

func (h *harness) upload(field, name string, data []byte) *httptest.ResponseRecorder {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		h.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/resumes", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return h.serve(req)
}

type uploaded struct {
	ID      string          `json:"id"`
	Token   string          `json:"token"`
	Status  string          `json:"status"`
	Profile *resume.Profile `json:"profile"`
}

func (h *harness) uploadResume() uploaded {
	h.t.Helper()
	h.withResumeReader()
	rec := h.upload("file", "ada.md", []byte(resumeText))
	if rec.Code != http.StatusCreated {
		h.t.Fatalf("upload: status %d, body %s", rec.Code, rec.Body)
	}
	return decode[uploaded](h.t, rec)
}

func TestUploadResumeReturnsItsProfile(t *testing.T) {
	h := newHarness(t)
	up := h.uploadResume()
	if up.ID == "" || up.Token == "" || up.Status != "ready" || up.Profile == nil {
		t.Fatalf("upload = %+v, want id, token, ready and a profile", up)
	}
	p := up.Profile
	if p.Name != "Ada Lovelace" || p.YearsExperience != 6 || !slicesContain(p.Skills, "Kubernetes") || len(p.Projects) != 2 {
		t.Errorf("profile = %+v, want Ada Lovelace, 6 years, Kubernetes among the skills, two projects", p)
	}

	rec := h.send(http.MethodGet, "/api/v1/resumes/"+up.ID, up.Token, "")
	if got := decode[uploaded](t, rec); rec.Code != http.StatusOK || got.Profile == nil || got.Profile.Name != "Ada Lovelace" || got.Token != "" {
		t.Errorf("GET with the token = %d %+v, want 200 with the profile and no token", rec.Code, got)
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/resumes/"+up.ID, "", ""), http.StatusUnauthorized, "unauthorized")
	wantError(t, h.send(http.MethodGet, "/api/v1/resumes/"+up.ID, "not-the-token", ""), http.StatusUnauthorized, "invalid_token")
	wantError(t, h.send(http.MethodGet, "/api/v1/resumes/nope", up.Token, ""), http.StatusNotFound, "resume_not_found")

	stored, err := h.store.Resume(t.Context(), up.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Data != nil || !strings.Contains(stored.Text, "Payment gateway") {
		t.Errorf("stored résumé keeps %d bytes of file and text %q; want the text only", len(stored.Data), stored.Text)
	}
}

func slicesContain(items []string, want string) bool {
	for _, s := range items {
		if s == want {
			return true
		}
	}
	return false
}

func TestUploadResumeRejectsBadFiles(t *testing.T) {
	encrypted := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R /Encrypt 2 0 R >>\n%%EOF\n")
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	for _, tc := range []struct {
		name, field, file string
		data              []byte
		status            int
		code              string
	}{
		{"no file field", "document", "cv.txt", []byte(resumeText), http.StatusBadRequest, "missing_file"},
		{"an image", "file", "cv.png", png, http.StatusUnsupportedMediaType, "unsupported_type"},
		{"an image named pdf", "file", "cv.pdf", png, http.StatusUnprocessableEntity, "not_pdf"},
		{"an encrypted pdf", "file", "cv.pdf", encrypted, http.StatusUnprocessableEntity, "encrypted_pdf"},
		{"a docx that is not a zip", "file", "cv.docx", []byte("PK\x03\x04 broken"), http.StatusUnprocessableEntity, "broken_file"},
		{"an empty file", "file", "cv.txt", nil, http.StatusUnprocessableEntity, "no_text"},
		{"not text", "file", "cv.txt", []byte{0xff, 0xfe, 0xfd, 'a', 0xc3}, http.StatusUnprocessableEntity, "invalid_text"},
		{"over 5 MB", "file", "cv.txt", bytes.Repeat([]byte("a"), 5<<20+1), http.StatusRequestEntityTooLarge, "file_too_large"},
		{"a docx zip bomb", "file", "cv.docx", zipBomb(t), http.StatusUnprocessableEntity, "zip_bomb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.withResumeReader()
			wantError(t, h.upload(tc.field, tc.file, tc.data), tc.status, tc.code)
		})
	}
}

func TestCreateInterviewWithResume(t *testing.T) {
	h := newHarness(t)
	up := h.uploadResume()
	create := func(extra string) *httptest.ResponseRecorder {
		return h.send(http.MethodPost, "/api/v1/interviews", "", strings.TrimSuffix(validCreate, "}")+","+extra+"}")
	}

	rec := create(`"resume_id":"` + up.ID + `","resume_token":"` + up.Token + `"`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create with résumé: status %d, body %s", rec.Code, rec.Body)
	}
	if starts := h.engine.starts; len(starts) != 1 || starts[0].ResumeID != up.ID {
		t.Errorf("workflow started with %+v, want the résumé's id", starts)
	}
	// Somebody else's résumé cannot be attached without its token.
	wantError(t, create(`"resume_id":"`+up.ID+`","resume_token":"guess"`), http.StatusUnauthorized, "invalid_token")
	wantError(t, create(`"resume_id":"`+up.ID+`"`), http.StatusUnprocessableEntity, "invalid_request")
	wantError(t, create(`"resume_id":"nope","resume_token":"`+up.Token+`"`), http.StatusNotFound, "resume_not_found")
	if n := len(h.engine.starts); n != 1 {
		t.Errorf("%d workflows started, want only the valid request's", n)
	}
}

// TestSlowResumeIsPolled: a résumé the worker has not read within the
// upload's wait is answered 202 pending; its holder polls it until the
// profile is there, and it attaches to an interview only from then on.
func TestSlowResumeIsPolled(t *testing.T) {
	h := newHarnessWith(t, func(c *api.Config) { c.ResumeWait = 100 * time.Millisecond })
	reader := &activities.ResumeReader{Store: h.store, Model: llm.NewOffline(0), Limits: resume.DefaultLimits()}
	release := make(chan struct{})
	read := make(chan error, 1)
	h.engine.readResume = func(ctx context.Context, id string) (activities.ReadResumeResult, error) {
		// The workflow goes on after the upload stops waiting, as it does
		// on a busy worker.
		go func() {
			<-release
			_, err := reader.ReadResume(context.Background(), activities.ReadResumeInput{ResumeID: id})
			read <- err
		}()
		<-ctx.Done()
		return activities.ReadResumeResult{}, ctx.Err()
	}

	rec := h.upload("file", "ada.md", []byte(resumeText))
	up := decode[uploaded](t, rec)
	if rec.Code != http.StatusAccepted || up.Status != "pending" || up.Token == "" || up.Profile != nil {
		t.Fatalf("slow upload = %d %+v, want 202 pending with an id and token and no profile yet", rec.Code, up)
	}
	rec = h.send(http.MethodGet, "/api/v1/resumes/"+up.ID, up.Token, "")
	if got := decode[uploaded](t, rec); rec.Code != http.StatusOK || got.Status != "pending" {
		t.Errorf("GET while reading = %d %+v, want 200 pending", rec.Code, got)
	}
	create := strings.TrimSuffix(validCreate, "}") + `,"resume_id":"` + up.ID + `","resume_token":"` + up.Token + `"}`
	wantError(t, h.send(http.MethodPost, "/api/v1/interviews", "", create), http.StatusConflict, "resume_not_ready")

	close(release)
	if err := <-read; err != nil {
		t.Fatalf("read the résumé: %v", err)
	}
	rec = h.send(http.MethodGet, "/api/v1/resumes/"+up.ID, up.Token, "")
	if got := decode[uploaded](t, rec); rec.Code != http.StatusOK || got.Status != "ready" || got.Profile == nil || got.Profile.Name != "Ada Lovelace" {
		t.Fatalf("GET once read = %d %+v, want 200 ready with the profile", rec.Code, got)
	}
	if rec := h.send(http.MethodPost, "/api/v1/interviews", "", create); rec.Code != http.StatusCreated {
		t.Errorf("create with the read résumé: status %d, body %s", rec.Code, rec.Body)
	}
}

// zipBomb is a DOCX of a few dozen kilobytes whose document unpacks to
// 64 MB, past the reader's limit.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "word/document.xml"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "word/document.xml" {
			chunk := bytes.Repeat([]byte("<w:t>a</w:t>"), 1<<16)
			for written := 0; written < 64<<20; written += len(chunk) {
				w.Write(chunk)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The file name is stored as valid UTF-8 of at most 255 bytes, cut on a
// character boundary: PostgreSQL refuses text that is not valid UTF-8.
func TestUploadResumeKeepsItsNameValid(t *testing.T) {
	long := strings.Repeat("é", 200) + ".md" // 403 bytes
	for _, tc := range []struct{ sent, want string }{
		{long, long[:254]},
		{"cv\xff\xfe.md", "cv.md"},
	} {
		h := newHarness(t)
		h.withResumeReader()
		rec := h.upload("file", tc.sent, []byte(resumeText))
		if rec.Code != http.StatusCreated {
			t.Fatalf("upload %q: status %d, body %s", tc.sent, rec.Code, rec.Body)
		}
		stored, err := h.store.Resume(t.Context(), decode[uploaded](t, rec).ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Filename != tc.want || !utf8.ValidString(stored.Filename) {
			t.Errorf("upload %q stored the name %q, want %q", tc.sent, stored.Filename, tc.want)
		}
	}
}
