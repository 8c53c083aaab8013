// Package activities holds everything an interview does that touches the
// world: the question bank lookups (RAG), the Eino agents that ask and
// evaluate, the report, and the records written to the database and the
// token stream. The workflow only coordinates; these are the steps it runs.
//
// Activities hang off two structs, one per concern: Interviewer (model
// and bank work) and Recorder (database and stream bookkeeping). Their
// dependencies are built in cmd and passed in.
package activities
