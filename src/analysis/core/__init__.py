"""The foundation every stage stands on: errors, periods, area configuration, offence and
crime-type vocabulary, report file paths, locks and safe text. Imports nothing else of the
package."""
