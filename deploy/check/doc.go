// Package check validates mianshi's deployment files offline, without a
// Docker engine or a cluster: docker-compose.yml is loaded and validated
// with compose-go (the library behind `docker compose config`), and the
// kustomizations under deploy/k8s are built with kustomize's own library
// and decoded strictly into the Kubernetes API types.
//
// It is its own Go module so that these libraries never move a version in
// mianshi's go.mod. Run it with
//
//	cd deploy/check && go test ./...
package check
