# The README's install and serve steps, in a container (tests/test_packaging.py keeps them in step).
FROM python:3.11-slim
WORKDIR /src
COPY . .
RUN pip install .
# Inside a container the emulator must listen on every interface; PORT picks the port served.
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_emulator/health' % os.environ['PORT'], timeout=2)"
# exec: the emulator itself is PID 1, so docker stop (SIGTERM) reaches it and its exit hooks run
CMD exec exotel-emulator serve --host "$HOST" --port "$PORT"
