package resume

// Profile is what the interviewer knows of a candidate from the résumé.
// Contact details are for the candidate's own review; the interviewer's
// read_resume tool leaves them out (see Profile.ForInterviewer).
type Profile struct {
	Name            string    `json:"name"`
	Contact         Contact   `json:"contact"`
	YearsExperience int       `json:"years_experience"`
	Skills          []string  `json:"skills"`
	Jobs            []Job     `json:"jobs"`
	Projects        []Project `json:"projects"`
	Education       []string  `json:"education"`
	Languages       []string  `json:"languages"`
}

// Contact is how to reach the candidate, as the résumé gives it.
type Contact struct {
	Email string   `json:"email,omitempty"`
	Phone string   `json:"phone,omitempty"`
	Links []string `json:"links,omitempty"`
}

// Job is one position held: the employer, the title, and when, as
// "2020-07", "2020" or, for End, "present" (or "" when not given).
type Job struct {
	Employer string `json:"employer"`
	Title    string `json:"title"`
	Start    string `json:"start"`
	End      string `json:"end"`
}

// Project is one project the candidate lists.
type Project struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// ForInterviewer returns the profile without contact details: the model
// that asks the questions needs the candidate's work, not their address.
func (p Profile) ForInterviewer() Profile {
	p.Contact = Contact{}
	return p
}
