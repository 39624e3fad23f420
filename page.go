package makerhub

// PageLimit checks a list's offset and returns the page size to use:
// def when limit is not set (≤ 0), at most maxLimit.
func PageLimit(offset, limit, def, maxLimit int) (int, error) {
	if offset < 0 {
		return 0, Errorf(EINVALID, "offset must not be negative.")
	}
	if limit <= 0 {
		return def, nil
	}
	return min(limit, maxLimit), nil
}
