package resume

// TEMPORARY stand-in until the resume package lands from its branch.

// Profile is what the interviewer knows of a candidate from the résumé.
type Profile struct {
	Name            string    `json:"name"`
	YearsExperience int       `json:"years_experience"`
	Skills          []string  `json:"skills"`
	Projects        []Project `json:"projects"`
	Education       []string  `json:"education"`
	Languages       []string  `json:"languages"`
}

// Project is one project on a résumé.
type Project struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}
