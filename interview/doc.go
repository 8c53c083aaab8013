// Package interview holds the vocabulary every part of mianshi shares: an
// interview's status, its turns (question, answer, evaluation) and its
// report. The workflow, the activities, the store and the API all speak it,
// so a field means the same thing in Temporal history, the database and
// the HTTP API.
package interview
