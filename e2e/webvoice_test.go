package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mianshi/mianshi/llm/fakeopenai"
)

// spokenWAV has espeak-ng say text into a WAV file, for chromium's fake
// microphone. It skips without espeak-ng, and fails in CI, which installs
// it.
func spokenWAV(t *testing.T, text string) string {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("espeak-ng is required in CI: %v (apt-get install -y espeak-ng)", err)
		}
		t.Skip("espeak-ng is not installed (apt-get install -y espeak-ng); skipping the spoken-answer browser test")
	}
	path := filepath.Join(t.TempDir(), "answer.wav")
	if out, err := exec.Command("espeak-ng", "-v", "en-us", "-s", "150", "-w", path, text).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v: %s", err, out)
	}
	return path
}

// TestWebVoiceAnswer records an answer in headless chromium from its fake
// microphone (playing a WAV made by espeak-ng), through `mianshi dev` and
// the fake speech-to-text endpoint, to a stored answer: the page shows
// the record button because the server transcribes, uploads what
// MediaRecorder recorded, shows the transcript in the answer box, and the
// candidate's correction is what the interview stores.
func TestWebVoiceAnswer(t *testing.T) {
	const heard = "I would use a buffered channel to bound the workers"
	wav := spokenWAV(t, heard)
	b := newBrowser(t,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", wav),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	srv := fakeopenai.New(nil)
	defer srv.Close()
	srv.HandleTranscriptions(fakeopenai.Transcripts(heard, 0, 0))
	d := startDev(t, t.TempDir(), freePorts(t), voiceEnv(srv)...)
	s := newSession(t, d.baseURL, 1)
	s.awaiting(1)

	b.steps("open the interview", chromedp.Navigate(webInterview{id: s.iv.ID, token: s.iv.Token}.page(d.baseURL)))
	wait[bool](b, "the question and the record button", `document.querySelector('#question-text')?.dataset.phase === 'done' &&
		!document.querySelector('#record').hidden && !document.querySelector('#record').disabled`)
	if speak := eval[bool](b, `document.querySelector('#read-aloud').checked`); speak {
		t.Error("reading questions aloud is on by default")
	}
	b.steps("start recording", chromedp.Click(chromedp.CSS("#record")))
	wait[bool](b, "the recording", `document.querySelector('#record').getAttribute('aria-pressed') === 'true' &&
		document.querySelector('#send').disabled`)
	b.steps("speak for a moment", chromedp.Sleep(2500*time.Millisecond))
	b.steps("stop recording", chromedp.Click(chromedp.CSS("#record")))
	got := wait[string](b, "the transcript in the answer box", `document.querySelector('#answer').value`)
	if got != heard {
		t.Fatalf("the answer box holds %q, want the transcript %q", got, heard)
	}
	b.shot("web-voice")
	reqs := srv.TranscriptionRequests()
	if len(reqs) != 1 {
		t.Fatalf("%d transcription requests, want 1", len(reqs))
	}
	r := reqs[0]
	if !strings.HasPrefix(r.ContentType, "audio/webm") && !strings.HasPrefix(r.ContentType, "audio/ogg") {
		t.Errorf("the endpoint got %q audio, want what MediaRecorder records", r.ContentType)
	}
	if len(r.Audio) < 2000 || !bytes.HasPrefix(r.Audio, []byte{0x1A, 0x45, 0xDF, 0xA3}) && !bytes.HasPrefix(r.Audio, []byte("OggS")) {
		t.Errorf("the endpoint got %d bytes starting %x; want seconds of recorded audio", len(r.Audio), r.Audio[:min(8, len(r.Audio))])
	}

	corrected := heard + " and a WaitGroup"
	eval[bool](b, `(() => { const a = document.querySelector('#answer'); a.focus(); a.setSelectionRange(a.value.length, a.value.length); return true; })()`)
	b.steps("correct the transcript", chromedp.KeyEvent(" and a WaitGroup"))
	b.steps("send it", chromedp.Click(chromedp.CSS("#send")))
	final := s.completed()
	if len(final.Transcript) != 1 || final.Transcript[0].Answer != corrected {
		t.Errorf("the interview stored %+v, want %q", final.Transcript, corrected)
	}
}
