package local

import (
	"net/http"
	"os"
	"path/filepath"
)

// Console serves a built console (console/dist) from dir, falling back to index.html for the
// single-page app's own paths. An empty or missing dir gives nil: the runtime's placeholder.
func Console(dir string) http.Handler {
	if dir == "" {
		dir = "console/dist"
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		return nil
	}
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(filepath.Join(dir, filepath.Clean("/"+r.URL.Path))); err != nil {
			http.ServeFile(w, r, filepath.Join(dir, "index.html"))
			return
		}
		files.ServeHTTP(w, r)
	})
}
