package metrics

import "net/http"

// HTTP records Requests and ServerErrors (a 5xx answer) under Function=function for every
// response next writes: the numerator and denominator of the function's 5xx rate.
func HTTP(rec Recorder, function string, next http.Handler) http.Handler {
	rec = Or(rec)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 { // nothing written: net/http answers 200
			status = http.StatusOK
		}
		serverError := 0
		if status >= 500 {
			serverError = 1
		}
		rec.Record(Record{
			Dimensions: []Dimension{Dim(Function, function)},
			Values:     []Value{Count(Requests, 1), Count(ServerErrors, serverError)},
		})
	})
}

// statusWriter remembers the status of the answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
