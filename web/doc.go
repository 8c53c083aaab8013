// Package web is the browser app for candidates and HR: plain HTML, CSS and
// JavaScript modules embedded in the binary, with no build step. The API
// serves it at / (start), /i/{id} (interview), /i/{id}/report and /hr; the
// pages talk to the API under /api/v1 like any other client.
//
// Every page is the same index.html: a small router in assets/app.js picks
// the page from the path. Text from the API (questions, answers, names) is
// only ever set with textContent, and the pages' Content-Security-Policy
// allows scripts and styles from this origin alone.
package web
