package mailer

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/mianshi/mianshi/activities"
)

// TLS modes of Config.TLS.
const (
	TLSStartTLS = "starttls" // STARTTLS required (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // plain text: local relays and tests only
)

// Config is where and how to send mail.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	// From is the sender address, e.g. "Mock interviews <noreply@example.com>".
	From string
	// TLS is one of TLSStartTLS (default), TLSImplicit, TLSNone.
	TLS string
	// Timeout bounds one connection. Default 30 s.
	Timeout time.Duration
}

// Validate says what is wrong with a configuration.
func (c Config) Validate() error {
	var errs []error
	if c.Host == "" {
		errs = append(errs, errors.New("MIANSHI_SMTP_HOST is required"))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("MIANSHI_SMTP_PORT %d: want a port number", c.Port))
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("MIANSHI_SMTP_FROM %q: want an address such as noreply@example.com", c.From))
	}
	switch c.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("MIANSHI_SMTP_TLS %q: want starttls, tls or none", c.TLS))
	}
	if (c.Username == "") != (c.Password == "") {
		errs = append(errs, errors.New("set both MIANSHI_SMTP_USERNAME and MIANSHI_SMTP_PASSWORD, or neither"))
	}
	return errors.Join(errs...)
}

// SMTP sends mail through one SMTP server, one connection per message.
type SMTP struct {
	cfg Config
}

var _ activities.Mailer = (*SMTP)(nil)

// New returns a mailer for a valid configuration.
func New(cfg Config) (*SMTP, error) {
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg}, nil
}

// Send sends one plain-text message.
func (s *SMTP) Send(ctx context.Context, m activities.Mail) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	c, err := gomail.NewClient(s.cfg.Host, s.options()...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return nil
}

func (s *SMTP) options() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		// Auto-discovery picks the strongest mechanism the server offers;
		// it will not send a password in the clear, so without TLS (a
		// local relay) it is PLAIN, which go-mail allows on localhost only.
		auth := gomail.SMTPAuthAutoDiscover
		if s.cfg.TLS == TLSNone {
			auth = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return opts
}
