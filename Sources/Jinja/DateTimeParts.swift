import Foundation

/// A wall-clock time for `strftime_now` (transformers formats `datetime.now()` with Python's
/// `strftime`, i.e. the C library's on Linux). Parsed from ISO text such as `2026-01-15T09:30:00`.
public struct DateTimeParts: Sendable, Equatable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second
    }

    /// Parses `YYYY-MM-DD[THH:MM[:SS[.ffffff]]]` (a time-zone suffix is ignored).
    public init?(iso: String) {
        let digits = iso.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 3 else { return nil }
        self.init(year: digits[0], month: digits[1], day: digits[2],
                  hour: digits.count > 3 ? digits[3] : 0, minute: digits.count > 4 ? digits[4] : 0,
                  second: digits.count > 5 ? digits[5] : 0)
    }

    static func currentUTC() -> DateTimeParts {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date())
        return DateTimeParts(year: c.year!, month: c.month!, day: c.day!, hour: c.hour!, minute: c.minute!, second: c.second!)
    }

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                         "October", "November", "December"]
    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// Days since 1970-01-01 (proleptic Gregorian).
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// 0 = Monday.
    var weekday: Int { ((daysSinceEpoch % 7) + 7 + 3) % 7 }
    var dayOfYear: Int { daysSinceEpoch - DateTimeParts(year: year, month: 1, day: 1).daysSinceEpoch + 1 }

    /// C `strftime` for the common conversions (`%d %b %B %Y %y %m %H %I %M %S %p %a %A %j %%`,
    /// glibc's `%-d` style flags that drop padding).
    public func strftime(_ fmt: String) -> String {
        var out = ""
        var it = fmt.makeIterator()
        func pad(_ n: Int, _ w: Int, _ noPad: Bool) -> String {
            let s = String(n)
            return noPad || s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        while let c = it.next() {
            guard c == "%" else { out.append(c); continue }
            guard var f = it.next() else { out.append("%"); break }
            var noPad = false
            if f == "-" { noPad = true; guard let g = it.next() else { break }; f = g }
            switch f {
            case "d": out += pad(day, 2, noPad)
            case "e": out += noPad ? String(day) : (day < 10 ? " \(day)" : String(day))
            case "m": out += pad(month, 2, noPad)
            case "Y": out += String(year)
            case "y": out += pad(year % 100, 2, noPad)
            case "H": out += pad(hour, 2, noPad)
            case "I": out += pad(hour % 12 == 0 ? 12 : hour % 12, 2, noPad)
            case "M": out += pad(minute, 2, noPad)
            case "S": out += pad(second, 2, noPad)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "b", "h": out += String(DateTimeParts.months[month - 1].prefix(3))
            case "B": out += DateTimeParts.months[month - 1]
            case "a": out += String(DateTimeParts.weekdays[weekday].prefix(3))
            case "A": out += DateTimeParts.weekdays[weekday]
            case "j": out += pad(dayOfYear, 3, noPad)
            case "F": out += "\(year)-\(pad(month, 2, false))-\(pad(day, 2, false))"
            case "T": out += "\(pad(hour, 2, false)):\(pad(minute, 2, false)):\(pad(second, 2, false))"
            case "%": out += "%"
            default: out += "%"; out.append(f)
            }
        }
        return out
    }
}
