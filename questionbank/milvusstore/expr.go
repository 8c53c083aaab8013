package milvusstore

import (
	"strconv"
	"strings"

	"github.com/mianshi/mianshi/questionbank"
)

// Field names of the questions collection.
const (
	fieldID       = "id"
	fieldTrack    = "track"
	fieldLevel    = "level"
	fieldLanguage = "language"
	fieldTopic    = "topic"
	fieldDoc      = "doc"
	fieldDense    = "dense"
	fieldSparse   = "sparse"
)

// quote returns s as a Milvus string literal. Milvus unquotes string
// literals as Go does (strconv.Unquote), so Go's quoting escapes
// quotes, backslashes and control characters the way Milvus reads them.
func quote(s string) string { return strconv.Quote(s) }

// quoteList returns ["a", "b"] for a "not in" clause.
func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// filterExpr turns f into a Milvus boolean expression. Field names are
// constants; every value is a quoted literal. An empty filter gives "".
func filterExpr(f questionbank.Filter) string {
	var clauses []string
	for _, c := range []struct{ field, value string }{
		{fieldTrack, f.Track}, {fieldLevel, f.Level}, {fieldLanguage, f.Language}, {fieldTopic, f.Topic},
	} {
		if c.value != "" {
			clauses = append(clauses, c.field+" == "+quote(c.value))
		}
	}
	if len(f.Exclude) > 0 {
		clauses = append(clauses, fieldID+" not in "+quoteList(f.Exclude))
	}
	if len(f.ExcludeTopics) > 0 {
		clauses = append(clauses, fieldTopic+" not in "+quoteList(f.ExcludeTopics))
	}
	return strings.Join(clauses, " && ")
}

// idsExpr selects the given ids.
func idsExpr(ids []string) string {
	return fieldID + " in " + quoteList(ids)
}
