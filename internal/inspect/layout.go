package inspect

import (
	"math"
	"strings"
)

// isBelowBreakLength is node's isBelowBreakLength.
func isBelowBreakLength(output []string, start int, base string) bool {
	totalLength := len(output) + start
	if totalLength+len(output) > breakLength {
		return false
	}
	for _, s := range output {
		totalLength += jsLen(s)
		if totalLength > breakLength {
			return false
		}
	}
	return base == "" || !strings.Contains(base, "\n")
}

// reduceToSingleString is node's reduceToSingleString for compact = 3.
func (c *inspector) reduceToSingleString(output []string, base string, braces [2]string, extrasType, recurseTimes int, groupValue func(int) bool) string {
	entries := len(output)
	if extrasType == kArrayExtrasType && entries > 6 {
		output = c.groupArrayElements(output, groupValue)
	}
	if c.currentDepth-recurseTimes < compactLevel && entries == len(output) {
		start := len(output) + c.indentationLvl + jsLen(braces[0]) + jsLen(base) + 10
		if isBelowBreakLength(output, start, base) {
			joined := strings.Join(output, ", ")
			if !strings.Contains(joined, "\n") {
				prefix := ""
				if base != "" {
					prefix = base + " "
				}
				return prefix + braces[0] + " " + joined + " " + braces[1]
			}
		}
	}
	indentation := "\n" + strings.Repeat(" ", c.indentationLvl)
	prefix := ""
	if base != "" {
		prefix = base + " "
	}
	return prefix + braces[0] + indentation + "  " + strings.Join(output, ","+indentation+"  ") + indentation + braces[1]
}

// groupArrayElements is node's groupArrayElements: it lines up many short
// array entries in columns.
func (c *inspector) groupArrayElements(output []string, isNumeric func(int) bool) []string {
	totalLength := 0
	maxLength := 0
	outputLength := len(output)
	if maxArrayLength < len(output) {
		// This makes sure the "... n more items" part is not taken into
		// account.
		outputLength--
	}
	const separatorSpace = 2 // a comma and a space
	dataLen := make([]int, outputLength)
	for i := 0; i < outputLength; i++ {
		l := stringWidth(output[i])
		dataLen[i] = l
		totalLength += l + separatorSpace
		if maxLength < l {
			maxLength = l
		}
	}
	actualMax := maxLength + separatorSpace
	if actualMax*3+c.indentationLvl < breakLength &&
		(float64(totalLength)/float64(actualMax) > 5 || maxLength <= 6) {
		const approxCharHeights = 2.5
		averageBias := math.Sqrt(float64(actualMax) - float64(totalLength)/float64(len(output)))
		biasedMax := math.Max(float64(actualMax)-3-averageBias, 1)
		columns := min(
			int(jsRound(math.Sqrt(approxCharHeights*biasedMax*float64(outputLength))/biasedMax)),
			(breakLength-c.indentationLvl)/actualMax,
			compactLevel*4,
			15,
		)
		if columns <= 1 {
			return output
		}
		tmp := make([]string, 0, outputLength/columns+2)
		maxLineLength := make([]int, 0, columns)
		for i := 0; i < columns; i++ {
			lineMaxLength := 0
			for j := i; j < len(output); j += columns {
				if j < outputLength && dataLen[j] > lineMaxLength {
					lineMaxLength = dataLen[j]
				}
			}
			maxLineLength = append(maxLineLength, lineMaxLength+separatorSpace)
		}
		padStartOrder := true
		if isNumeric != nil {
			for i := 0; i < len(output); i++ {
				if !isNumeric(i) {
					padStartOrder = false
					break
				}
			}
		}
		for i := 0; i < outputLength; i += columns {
			maxIdx := min(i+columns, outputLength)
			var b strings.Builder
			j := i
			for ; j < maxIdx-1; j++ {
				padding := maxLineLength[j-i] + jsLen(output[j]) - dataLen[j]
				if padStartOrder {
					b.WriteString(padStart(output[j]+", ", padding))
				} else {
					b.WriteString(padEnd(output[j]+", ", padding))
				}
			}
			if padStartOrder {
				padding := maxLineLength[j-i] + jsLen(output[j]) - dataLen[j] - separatorSpace
				b.WriteString(padStart(output[j], padding))
			} else {
				b.WriteString(output[j])
			}
			tmp = append(tmp, b.String())
		}
		if maxArrayLength < len(output) {
			tmp = append(tmp, output[outputLength])
		}
		output = tmp
	}
	return output
}

// jsRound is Math.round: halves round towards +Infinity.
func jsRound(f float64) float64 {
	return math.Floor(f + 0.5)
}
