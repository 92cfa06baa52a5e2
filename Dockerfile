# The README's install and serve steps, in a container (tests/test_packaging.py keeps them in step).
FROM python:3.11-slim
WORKDIR /src
COPY . .
RUN pip install .
# Inside a container the emulator must listen on every interface; the port can be moved with -e.
ENV EXOTEL_EMULATOR_HOST=0.0.0.0 EXOTEL_EMULATOR_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s \
  CMD ["python", "-c", "import os, urllib.request as u; t = os.environ.get('EXOTEL_EMULATOR_CONTROL_TOKEN'); u.urlopen(u.Request('http://127.0.0.1:%s/_emulator/health' % os.environ['EXOTEL_EMULATOR_PORT'], headers={'Authorization': 'Bearer ' + t} if t else {}), timeout=2)"]
# exec form: the emulator itself is PID 1, so docker stop (SIGTERM) reaches it and its exit hooks run;
# `docker run IMAGE serve --seed 7 --state /data/s.json` replaces only CMD
ENTRYPOINT ["exotel-emulator"]
CMD ["serve"]
