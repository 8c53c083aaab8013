// Package mailer sends campaign invitations and reminders by SMTP with
// github.com/wneessen/go-mail.
package mailer
