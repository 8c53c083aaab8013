package resume

// Profile is what the interviewer knows of a candidate from the résumé.
type Profile struct {
	Name            string    `json:"name"`
	YearsExperience int       `json:"years_experience"`
	Skills          []string  `json:"skills"`
	Projects        []Project `json:"projects"`
	Education       []string  `json:"education"`
	Languages       []string  `json:"languages"`
}

// Project is one project the candidate lists.
type Project struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}
