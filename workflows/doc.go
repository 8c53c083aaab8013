// Package workflows holds InterviewWorkflow, the durable interview: one
// Temporal workflow per interview, driven round by round by the
// candidate's answer signals. It only coordinates; every model call,
// database write and stream event happens in an activity.
package workflows
