# The two commands a newcomer needs (see README.md):
#   make run    start the hub on embedded defaults (SQLite and blobs under ./data)
#   make test   run every test, installing what the tests need first
.PHONY: run test build vet

run:
	go run ./cmd/makerhub serve

test:
	scripts/test.sh

build:
	go build -o bin/makerhub ./cmd/makerhub

vet:
	go vet ./...
