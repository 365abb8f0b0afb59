//! A minimal HTTP/1.1 client over one keep-alive TCP connection: what the load phases need and
//! nothing more, so the load generator costs the machine little next to the servers it measures.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// No single exchange may take longer (a stuck server counts as an error, not a hang).
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);
/// Larger answers are refused: none of the measured routes comes close.
const MAX_RESPONSE: usize = 1 << 20;

/// An answer: its status, the headers asked for, its body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// The first header named `name` (lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `http://127.0.0.1:PORT/path` split into the address and the path.
pub(crate) fn split_url(url: &str) -> Result<(SocketAddr, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// URLs"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = host.replace("localhost", "127.0.0.1");
    let addr: SocketAddr = host
        .parse()
        .map_err(|_| format!("{url}: the host must be ip:port"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("{url}: only loopback addresses are measured"));
    }
    Ok((addr, path.to_owned()))
}

/// One keep-alive connection; reconnects after an error or a `connection: close`.
pub(crate) struct Connection {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

impl Connection {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            stream: None,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Sends `method path` with `headers` (each `name: value`) and `body`, and reads the answer.
    pub(crate) async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[String],
        body: Option<&str>,
    ) -> io::Result<Answer> {
        let mut request = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\n", self.addr);
        for h in headers {
            request.push_str(h);
            request.push_str("\r\n");
        }
        if let Some(body) = body {
            request.push_str("content-type: application/json\r\n");
            request.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
        } else {
            request.push_str("\r\n");
        }
        match tokio::time::timeout(EXCHANGE_TIMEOUT, self.exchange(request.as_bytes())).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => {
                self.stream = None;
                Err(e)
            }
            Err(_) => {
                self.stream = None;
                Err(io::Error::new(io::ErrorKind::TimedOut, "no answer in 10 s"))
            }
        }
    }

    async fn exchange(&mut self, request: &[u8]) -> io::Result<Answer> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        let stream = self.stream.as_mut().expect("connected above");
        stream.write_all(request).await?;
        let answer = read_answer(stream, &mut self.buf).await?;
        if answer
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            self.stream = None;
        }
        Ok(answer)
    }
}

fn bad(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

/// Reads more into `buf`; an end of stream is an error (every answer here has a length).
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<()> {
    if buf.len() > MAX_RESPONSE {
        return Err(bad("answer too large"));
    }
    let mut chunk = [0u8; 8192];
    let n = stream.read(&mut chunk).await?;
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one answer; what follows it in `buf` stays for the next one.
async fn read_answer(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Answer> {
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        fill(stream, buf).await?;
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| bad("head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad("no status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    buf.drain(..head_end + 4);
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse::<usize>().map_err(|_| bad("bad content-length")))
        .transpose()?;
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if let Some(length) = length {
        while buf.len() < length {
            fill(stream, buf).await?;
        }
        buf.drain(..length).collect()
    } else if chunked {
        read_chunked(stream, buf).await?
    } else {
        Vec::new()
    };
    Ok(Answer {
        status,
        headers,
        body,
    })
}

async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(buf, b"\r\n") {
                break i;
            }
            fill(stream, buf).await?;
        };
        let size_text = std::str::from_utf8(&buf[..line_end]).map_err(|_| bad("chunk size"))?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| bad("chunk size"))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // No trailers from the servers measured: the empty line ends the answer.
            while buf.len() < 2 {
                fill(stream, buf).await?;
            }
            buf.drain(..2);
            return Ok(body);
        }
        while buf.len() < size + 2 {
            fill(stream, buf).await?;
        }
        body.extend(buf.drain(..size));
        buf.drain(..2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_loopback_http() {
        let (addr, path) = split_url("http://127.0.0.1:8080/auth/jwt/jwks.json").unwrap();
        assert_eq!(addr.port(), 8080);
        assert_eq!(path, "/auth/jwt/jwks.json");
        assert_eq!(split_url("http://localhost:81").unwrap().1, "/");
        assert!(split_url("https://127.0.0.1:1/").is_err());
        assert!(split_url("http://10.0.0.1:80/").is_err());
        assert!(split_url("http://example.com/").is_err());
    }

    /// A server answering with a length, then chunked, then `connection: close`.
    #[tokio::test]
    async fn reads_answers_by_length_chunked_and_close() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let answers: [&[u8]; 3] = [
                b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nSt-Access-Token: t\r\n\r\nok",
                b"HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            ];
            let mut buf = [0u8; 4096];
            for answer in answers {
                let _ = s.read(&mut buf).await.unwrap();
                s.write_all(answer).await.unwrap();
            }
        });
        let mut conn = Connection::new(addr);
        let a = conn.send("GET", "/", &[], None).await.unwrap();
        assert_eq!((a.status, a.body.as_slice()), (200, &b"ok"[..]));
        assert_eq!(a.header("st-access-token"), Some("t"));
        let a = conn.send("POST", "/", &[], Some("{}")).await.unwrap();
        assert_eq!((a.status, a.body.as_slice()), (201, &b"abcde"[..]));
        let a = conn.send("GET", "/", &[], None).await.unwrap();
        assert_eq!(a.status, 404);
        assert!(conn.stream.is_none(), "closed as the server asked");
        server.await.unwrap();
    }
}
