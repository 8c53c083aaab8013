package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mianshi/mianshi/web"
)

// TestWebResumeUpload drives the start page's résumé upload against a
// stand-in API (TestWebApp uploads to the real one), so that it can hand
// the page a hostile profile: the profile read from the résumé is shown
// as text (a hostile project description stays text), and the interview
// is created with the résumé's id and token. It also checks the page
// names a real model.
func TestWebResumeUpload(t *testing.T) {
	b := newBrowser(t)
	var (
		mu      sync.Mutex
		created map[string]any
		upload  string
	)
	const hostile = `<img src=x onerror="document.title='pwned'">`
	mux := standInStart()
	mux.HandleFunc("POST /api/v1/resumes", func(w http.ResponseWriter, r *http.Request) {
		f, hdr, err := r.FormFile("file")
		if err != nil {
			http.Error(w, `{"error":{"code":"invalid_request","message":"no file"}}`, http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(f)
		mu.Lock()
		upload = hdr.Filename + ":" + string(body)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{
			"id": "resume-1", "token": "resume-token-1",
			"profile": map[string]any{
				"name": "Ada Browser", "years_experience": 6, "skills": []string{"Go", "PostgreSQL"},
				"projects":  []map[string]string{{"name": "mianshi", "description": hostile}},
				"education": []string{"BSc Mathematics"}, "languages": []string{"English", "中文"},
			},
		})
	})
	standInCreate(mux, &mu, &created, "abc")
	srv := httptest.NewServer(mux)
	defer srv.Close()

	b.steps("open the start page", chromedp.Navigate(srv.URL+"/"))
	if who := wait[string](b, "the interviewer line", `document.querySelector('#interviewer')?.textContent`); !strings.Contains(who, "test-model-7b") {
		t.Errorf("the start page says %q; want it to name the model", who)
	}
	resume := filepath.Join(t.TempDir(), "resume.md")
	if err := os.WriteFile(resume, []byte("# Ada Browser\n## Skills\n- Go\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wait[bool](b, "the upload field", `!document.querySelector('#resume').hidden && !!document.querySelector('#resume-file')`)
	b.steps("upload the résumé", chromedp.SetUploadFiles(chromedp.CSS("#resume-file"), []string{resume}))
	shown := wait[string](b, "the profile", `(() => {
		const p = document.querySelector('#resume .profile');
		return p && !p.hidden && p.textContent;
	})()`)
	for _, want := range []string{"Ada Browser", "6", "PostgreSQL", "mianshi", hostile, "BSc Mathematics", "中文"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the profile shows %q; want it to contain %q", shown, want)
		}
	}
	if n := eval[int](b, `document.querySelectorAll('#resume img').length`); n != 0 || eval[string](b, `document.title`) == "pwned" {
		t.Errorf("the profile turned text into %d <img> elements: text from the API must stay text", n)
	}
	b.labelled("the start page with a résumé")
	b.shot("start-resume")

	startWithResume(b, "Ada Browser", "abc")
	mu.Lock()
	defer mu.Unlock()
	if !strings.HasPrefix(upload, "resume.md:# Ada Browser") {
		t.Errorf("the server got the upload %q; want the file in the multipart field file", upload)
	}
	if created["resume_id"] != "resume-1" || created["resume_token"] != "resume-token-1" {
		t.Errorf("the interview was created with %v; want resume_id and resume_token from the upload", created)
	}
}

// standInStart is a stand-in API with what the start page reads first:
// the interviewer and the tracks; it serves the web app.
func standInStart() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/info", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"interviewer":{"mode":"openai","model":"test-model-7b"}}`)
	})
	mux.HandleFunc("GET /api/v1/tracks", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"tracks":[{"track":"go-backend","levels":["junior","mid","senior"],"languages":["en","zh"],"topics":["concurrency"],"questions":30}]}`)
	})
	mux.Handle("/", web.Handler())
	return mux
}

// TestWebResumeStillReading: an upload the server answers 202 pending
// (its worker is busy) says so, asks GET /api/v1/resumes/{id} with the
// résumé's token until the profile is ready (through a 503 on the way),
// then shows it and attaches the résumé to the interview.
func TestWebResumeStillReading(t *testing.T) {
	b := newBrowser(t)
	var (
		mu      sync.Mutex
		polls   int
		auth    []string
		created map[string]any
	)
	mux := standInStart()
	mux.HandleFunc("POST /api/v1/resumes", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"id":"resume-2","token":"resume-token-2","status":"pending"}`)
	})
	mux.HandleFunc("GET /api/v1/resumes/resume-2", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		polls++
		auth = append(auth, r.Header.Get("Authorization"))
		switch polls {
		case 1: // a restarting API: the page asks again
			http.Error(w, `{"error":{"code":"engine_unavailable","message":"try again"}}`, http.StatusServiceUnavailable)
			return
		case 2:
			io.WriteString(w, `{"id":"resume-2","status":"pending"}`)
			return
		}
		io.WriteString(w, `{"id":"resume-2","status":"ready","profile":{"name":"Grace Slow","skills":["Rust"]}}`)
	})
	standInCreate(mux, &mu, &created, "def")
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resume := filepath.Join(t.TempDir(), "resume.txt")
	if err := os.WriteFile(resume, []byte("Grace Slow\nSkills: Rust\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.steps("open the start page", chromedp.Navigate(srv.URL+"/"))
	wait[bool](b, "the upload field", `!!document.querySelector('#resume-file')`)
	b.steps("upload the résumé", chromedp.SetUploadFiles(chromedp.CSS("#resume-file"), []string{resume}))
	wait[bool](b, "the still-reading note", `document.querySelector('#resume .hint[aria-live]')?.textContent.includes('Still reading')`)
	shown := wait[string](b, "the profile", `(() => {
		const p = document.querySelector('#resume .profile');
		return p && !p.hidden && p.textContent;
	})()`)
	if !strings.Contains(shown, "Grace Slow") || !strings.Contains(shown, "Rust") {
		t.Errorf("the profile shows %q; want the one the poll returned", shown)
	}
	startWithResume(b, "Grace Slow", "def")
	mu.Lock()
	defer mu.Unlock()
	for _, a := range auth {
		if a != "Bearer resume-token-2" {
			t.Errorf("a poll sent Authorization %q; want the upload's token", a)
		}
	}
	if polls != 3 {
		t.Errorf("the page asked for the résumé %d times; want it polled through a 503 and a pending answer until ready (3)", polls)
	}
	if created["resume_id"] != "resume-2" || created["resume_token"] != "resume-token-2" {
		t.Errorf("the interview was created with %v; want the polled résumé attached", created)
	}
}

// standInCreate has mux create interview id, keeping the request's body
// in *created (under mu).
func standInCreate(mux *http.ServeMux, mu *sync.Mutex, created *map[string]any, id string) {
	mux.HandleFunc("POST /api/v1/interviews", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		json.NewDecoder(r.Body).Decode(created)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]string{"id": id, "token": "tok", "status": "generating"})
	})
}

// startWithResume fills in the name, starts, and waits for the interview
// page of id.
func startWithResume(b *browser, name, id string) {
	b.steps("start with the résumé",
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.Click(chromedp.CSS("#start-form button[type=submit]")))
	wait[bool](b, "the interview page", "location.pathname === '/i/"+id+"'")
}
