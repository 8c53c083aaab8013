package interview

// Spec is what an interview is about: its track, level, language and
// length, and the résumé it draws on. The workflow's input embeds it and
// every model activity takes it.
type Spec struct {
	InterviewID string `json:"interview_id"`
	Track       string `json:"track"`
	Level       string `json:"level"`
	Language    string `json:"language"`
	MaxRounds   int    `json:"max_rounds"`
	// CodingRounds is how many coding rounds follow the spoken ones.
	CodingRounds int `json:"coding_rounds,omitempty"`
	// ResumeID names the candidate's résumé in the database, if any. The
	// résumé itself never travels in a payload.
	ResumeID string `json:"resume_id,omitempty"`
}
