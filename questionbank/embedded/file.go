package embedded

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/mianshi/mianshi/questionbank"
)

// FileName is the store's file in its directory.
const FileName = "questions.mqb"

// fileFormat is the version of the file layout.
const fileFormat = 1

// header is the first line of the file.
type header struct {
	Format     int                    `json:"format"`
	Embedder   string                 `json:"embedder"`
	Dimensions int                    `json:"dimensions"`
	Count      int                    `json:"count"`
	Seed       questionbank.SeedState `json:"seed"`
}

// snapshot is what the file holds.
type snapshot struct {
	header
	questions []questionbank.Question
	vecs      []float32
}

// writeFile writes s to path through a temporary file and a rename, so
// that the file is always whole.
func writeFile(path string, s snapshot) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".questions-*.tmp")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	crc := crc32.NewIEEE()
	w := bufio.NewWriterSize(io.MultiWriter(tmp, crc), 1<<20)
	s.Format, s.Count = fileFormat, len(s.questions)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s.header); err != nil {
		tmp.Close()
		return err
	}
	for _, q := range s.questions {
		if err := enc.Encode(q); err != nil {
			tmp.Close()
			return err
		}
	}
	var buf [4]byte
	for _, f := range s.vecs {
		binary.LittleEndian.PutUint32(buf[:], math.Float32bits(f))
		w.Write(buf[:])
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	binary.LittleEndian.PutUint32(buf[:], crc.Sum32())
	if _, err := tmp.Write(buf[:]); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// errCorrupt marks a file that fails its checksum or does not parse.
var errCorrupt = errors.New("question store file is damaged")

// readFile reads the file at path.
func readFile(path string) (snapshot, error) {
	var s snapshot
	data, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if len(data) < 4 {
		return s, fmt.Errorf("%w: %s is too short", errCorrupt, path)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return s, fmt.Errorf("%w: %s fails its checksum", errCorrupt, path)
	}
	r := bytes.NewReader(body)
	dec := json.NewDecoder(r)
	if err := dec.Decode(&s.header); err != nil {
		return s, fmt.Errorf("%w: header: %v", errCorrupt, err)
	}
	if s.Format != fileFormat {
		return s, fmt.Errorf("%s has format %d; this mianshi reads format %d", path, s.Format, fileFormat)
	}
	s.questions = make([]questionbank.Question, s.Count)
	for i := range s.questions {
		if err := dec.Decode(&s.questions[i]); err != nil {
			return s, fmt.Errorf("%w: question %d: %v", errCorrupt, i+1, err)
		}
	}
	// The decoder reads ahead; the vectors start after the last
	// question's newline.
	rest := io.MultiReader(dec.Buffered(), r)
	raw, err := io.ReadAll(rest)
	if err != nil {
		return s, err
	}
	raw = bytes.TrimPrefix(raw, []byte("\n"))
	if len(raw) != 4*s.Count*s.Dimensions {
		return s, fmt.Errorf("%w: %d bytes of vectors, want %d", errCorrupt, len(raw), 4*s.Count*s.Dimensions)
	}
	s.vecs = make([]float32, s.Count*s.Dimensions)
	for i := range s.vecs {
		s.vecs[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return s, nil
}
