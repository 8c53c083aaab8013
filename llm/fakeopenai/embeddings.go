package fakeopenai

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"strings"
	"unicode"
)

// EmbeddingDims is the length of the vectors the server answers with.
const EmbeddingDims = 32

// EmbeddingRequest is one embeddings request the server answered.
type EmbeddingRequest struct {
	// Model is the "model" field of the request.
	Model string
	// Input holds the texts to embed, in order.
	Input []string
	// Header holds the HTTP request headers.
	Header http.Header
}

// EmbeddingRequests returns copies of the embeddings requests answered so
// far, in arrival order.
func (s *Server) EmbeddingRequests() []EmbeddingRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]EmbeddingRequest, len(s.embeds))
	for i, r := range s.embeds {
		out[i] = EmbeddingRequest{Model: r.Model, Input: append([]string(nil), r.Input...), Header: r.Header.Clone()}
	}
	return out
}

// Embed is the vector the server answers for text under model: the words
// of text hashed into EmbeddingDims buckets, seeded by the model's name,
// and normalised to length 1. Texts that share words get close vectors.
func Embed(model, text string) []float32 {
	v := make([]float64, EmbeddingDims)
	for _, word := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		h := fnv.New64a()
		io.WriteString(h, model+"\x00"+word)
		sum := h.Sum64()
		sign := 1.0
		if sum>>63 == 1 {
			sign = -1
		}
		v[sum%EmbeddingDims] += sign
	}
	norm := 0.0
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, EmbeddingDims)
	if norm == 0 {
		out[0] = 1
		return out
	}
	for i, x := range v {
		out[i] = float32(x / math.Sqrt(norm))
	}
	return out
}

type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
}

type embeddingData struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"`
}

func (s *Server) serveEmbeddings(w http.ResponseWriter, r *http.Request) {
	var req embeddingRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "We could not parse the JSON body of your request: "+err.Error(), "invalid_request_error", "")
		return
	}
	var inputs []string
	if err := json.Unmarshal(req.Input, &inputs); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			writeError(w, http.StatusBadRequest, "input: want a string or an array of strings", "invalid_request_error", "")
			return
		}
		inputs = []string{one}
	}
	if req.Model == "" || len(inputs) == 0 {
		writeError(w, http.StatusBadRequest, "model and a non-empty input are required", "invalid_request_error", "")
		return
	}
	s.mu.Lock()
	s.embeds = append(s.embeds, EmbeddingRequest{Model: req.Model, Input: inputs, Header: r.Header.Clone()})
	s.mu.Unlock()

	data := make([]embeddingData, len(inputs))
	tokens := 0
	for i, text := range inputs {
		vec := Embed(req.Model, text)
		tokens += len(strings.Fields(text))
		var emb any = vec
		if req.EncodingFormat == "base64" {
			buf := make([]byte, 4*len(vec))
			for j, x := range vec {
				binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(x))
			}
			emb = base64.StdEncoding.EncodeToString(buf)
		}
		data[i] = embeddingData{Object: "embedding", Index: i, Embedding: emb}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"object": "list",
		"data":   data,
		"model":  req.Model,
		"usage":  map[string]int{"prompt_tokens": tokens, "total_tokens": tokens},
	})
}
