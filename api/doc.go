// Package api is mianshi's HTTP API on Echo: candidates start, take and
// follow interviews here, token by token over Server-Sent Events.
//
// Handlers never hold interview state. They start workflows, send them
// signals and read them through the state query, falling back to the
// database when the workflow is gone, so any number of API processes can
// serve the same interviews and any of them can die at any time.
package api
