# The two commands a newcomer needs (see README.md):
#   make run    start the hub on embedded defaults (SQLite and blobs under ./data)
#   make test   run every test, installing what the tests need first
# make web builds the pages' scripts (3D viewer, map, upload progress) into
# web/ui/static/dist, which the binary embeds; run and build do it first. It
# needs node and npm, and is skipped with a message without them.
.PHONY: run test build vet web

# make run ARGS=--demo fills an empty hub with sample data and prints the
# demo accounts; any other serve flag goes in ARGS too.
ARGS ?=

run: web
	go run ./cmd/makerhub serve $(ARGS)

web:
	scripts/build-web.sh

test:
	scripts/test.sh

build: web
	go build -o bin/makerhub ./cmd/makerhub

vet:
	go vet ./...
