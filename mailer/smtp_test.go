package mailer

import (
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mianshi/mianshi/activities"
)

// inbox is an in-test SMTP server that keeps what it receives and
// accepts one user.
type inbox struct {
	mu    sync.Mutex
	mails []received
	user  string
	pass  string
}

type received struct {
	from, to, data, user string
}

type session struct {
	box  *inbox
	user string
	cur  received
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: b}, nil }

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.box.user || pass != s.box.pass {
			return errors.New("invalid credentials")
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.box.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.cur.to = to; return nil }

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data, s.cur.user = string(b), s.user
	s.box.mu.Lock()
	s.box.mails = append(s.box.mails, s.cur)
	s.box.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

func startInbox(t *testing.T, user, pass string) (*inbox, int) {
	t.Helper()
	box := &inbox{user: user, pass: pass}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return box, ln.Addr().(*net.TCPAddr).Port
}

func TestSendDeliversThePlainTextMessage(t *testing.T) {
	box, port := startInbox(t, "mianshi", "secret")
	m, err := New(Config{Host: "127.0.0.1", Port: port, Username: "mianshi", Password: "secret", From: "noreply@mianshi.test", TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(t.Context(), activities.Mail{To: "ada@example.com", Subject: "Your mock interview", Body: "Open it here: http://x/interviews/1#token=abc\n"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(box.mails) != 1 {
		t.Fatalf("%d mails received, want 1", len(box.mails))
	}
	got := box.mails[0]
	if got.from != "noreply@mianshi.test" || got.to != "ada@example.com" || got.user != "mianshi" {
		t.Errorf("envelope %+v", got)
	}
	head, body, _ := strings.Cut(got.data, "\r\n\r\n")
	text, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(head, "Subject: Your mock interview") || !strings.Contains(string(text), "http://x/interviews/1#token=abc") {
		t.Errorf("message does not carry the subject and link:\n%s", got.data)
	}
}

func TestSendFailsOnWrongPassword(t *testing.T) {
	box, port := startInbox(t, "mianshi", "secret")
	m, err := New(Config{Host: "127.0.0.1", Port: port, Username: "mianshi", Password: "wrong", From: "noreply@mianshi.test", TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), activities.Mail{To: "ada@example.com", Subject: "s", Body: "b"}); err == nil {
		t.Fatal("Send with a wrong password succeeded")
	}
	if len(box.mails) != 0 {
		t.Errorf("a mail went through: %+v", box.mails)
	}
}

func TestConfigSaysWhatIsWrong(t *testing.T) {
	_, err := New(Config{Port: 0, From: "nobody", TLS: "ssl", Username: "u"})
	if err == nil {
		t.Fatal("a bad config was accepted")
	}
	for _, want := range []string{"MIANSHI_SMTP_HOST", "MIANSHI_SMTP_PORT", "MIANSHI_SMTP_FROM", "MIANSHI_SMTP_TLS", "MIANSHI_SMTP_PASSWORD"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}
